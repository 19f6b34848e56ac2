#!/usr/bin/env bash
# Provision the model tier's golden AMI on top of EB's Docker (Amazon Linux 2023) platform AMI.
#
# Run once on a GPU builder instance (e.g. g4dn.xlarge) launched from the AMI EB's Docker
# platform uses in the region (see docs/apps.md), then create an image from it and set
# webmodel:model.imageId to that AMI id. What it bakes in, so a new model instance boots fast:
#   1. the NVIDIA driver (kernel module built for the running kernel),
#   2. nvidia-container-toolkit, registered as a Docker runtime (GPU devices for containers),
#   3. the Triton image pre-pulled, the exact tag apps/model/eb/docker-compose.yml runs.
# The model itself is NOT baked in: Triton reads it from S3 at start (MODEL_REPOSITORY).
set -euo pipefail

TRITON_IMAGE="${TRITON_IMAGE:-nvcr.io/nvidia/tritonserver:25.01-py3}"

# 1. Driver: AL2023's kernel headers plus NVIDIA's repository for Amazon Linux 2023.
dnf install -y "kernel-devel-$(uname -r)" "kernel-modules-extra-$(uname -r)" dkms
dnf config-manager --add-repo \
  "https://developer.download.nvidia.com/compute/cuda/repos/amzn2023/x86_64/cuda-amzn2023.repo"
dnf module install -y nvidia-driver:latest-dkms

# 2. Container toolkit, and Docker told about the nvidia runtime.
curl -fsSL https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo \
  -o /etc/yum.repos.d/nvidia-container-toolkit.repo
dnf install -y nvidia-container-toolkit
nvidia-ctk runtime configure --runtime=docker
systemctl restart docker

# 3. Triton pre-pulled (several GB: this is the download the seed's 16-minute scale-out paid).
docker pull "$TRITON_IMAGE"

# Check before imaging: the driver sees the GPU and a container gets it.
nvidia-smi
docker run --rm --gpus all "$TRITON_IMAGE" nvidia-smi -L

# Leave no instance identity in the image.
dnf clean all
rm -rf /var/lib/cloud/instances/* /var/log/eb-* /home/ec2-user/.ssh/authorized_keys
