"""The typed stack configuration: every `webmodel:*` key, its models, roles and rules.

A room of its own, by job:

- `models.py`: the shared sections (network, database, platform, scaling) and what every
  environment has; `roles.py`: every environment role (web, model, worker) and `StackConfig`;
- `loading.py`: the raw config map to a validated `StackConfig` (`load_stack_config`),
  `checks.py`: rules across one environment's fields, `errors.py`: `ConfigError` and wording;
- `secrets.py`: which values may be `secure:`, and the `aws:region` rule;
  `stackfile_rules.py`: those rules as the object preflight loads to read a stack file;
- `args.py`: the config mapped onto every component's Args (it imports Pulumi; nothing here
  does); `reference.py`: docs/configuration.md and Pulumi.yaml's `config:` block, generated.

This package's namespace keeps the names other code imports from `components.config`.
"""

from components.config.errors import ConfigError
from components.config.loading import load_stack_config, parse_stack_config, section_model
from components.config.models import (
    PROJECT,
    DatabaseConfig,
    EnvironmentConfig,
    EnvValue,
    LoadBalancedConfig,
    LogRetentionDays,
    NetworkConfig,
    PlatformConfig,
    ScalingConfig,
)
from components.config.roles import (
    CONFIG_KEYS,
    MODEL_DEFAULTS,
    ROLES,
    ModelConfig,
    Role,
    RoleSpec,
    StackConfig,
    WebConfig,
    WorkerConfig,
)
from components.config.secrets import (
    SECRET_FIELDS,
    never_secret_problem,
    region_problem,
    secret_stand_in,
    secure_value_problem,
)
from components.rules import (
    AMI_PATTERN,
    CERTIFICATE_ARN_PATTERN,
    ENV_KEY_PATTERN,
    ENV_PROPERTY_LIMIT_BYTES,
    INSTANCE_TYPE_PATTERN,
    LOG_RETENTION_DAYS,
    SECRET_ARN_PATTERN,
    budget_problem,
    property_bytes,
)

__all__ = [
    "AMI_PATTERN",
    "CERTIFICATE_ARN_PATTERN",
    "CONFIG_KEYS",
    "ENV_KEY_PATTERN",
    "ENV_PROPERTY_LIMIT_BYTES",
    "INSTANCE_TYPE_PATTERN",
    "LOG_RETENTION_DAYS",
    "MODEL_DEFAULTS",
    "PROJECT",
    "ROLES",
    "SECRET_ARN_PATTERN",
    "SECRET_FIELDS",
    "ConfigError",
    "DatabaseConfig",
    "EnvValue",
    "EnvironmentConfig",
    "LoadBalancedConfig",
    "LogRetentionDays",
    "ModelConfig",
    "NetworkConfig",
    "PlatformConfig",
    "Role",
    "RoleSpec",
    "ScalingConfig",
    "StackConfig",
    "WebConfig",
    "WorkerConfig",
    "budget_problem",
    "load_stack_config",
    "never_secret_problem",
    "parse_stack_config",
    "property_bytes",
    "region_problem",
    "secret_stand_in",
    "section_model",
    "secure_value_problem",
]
