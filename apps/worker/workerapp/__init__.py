"""The worker tier: a FastAPI endpoint Elastic Beanstalk's sqsd daemon posts queue messages to."""
