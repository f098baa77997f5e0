# Its own state (the baseline is once per account and region): partial configuration, as for the
# service (terraform init -backend-config=backend.hcl; see ../backend.hcl.example).
terraform {
  backend "s3" {}
}
