# Its own state, one per account and environment (bootstrapped by an administrator before any pipeline
# runs): partial configuration, as for the service (terraform init -backend-config=backend.hcl with
# key = "<project>/<environment>/deploy-identity.tfstate"; see ../backend.hcl.example).
terraform {
  backend "s3" {}
}
