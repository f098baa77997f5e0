# State in S3, encrypted, with S3-native locking. The bucket, key and region come from a partial
# configuration at init time (terraform init -backend-config=backend.hcl; see backend.hcl.example),
# so tests and `terraform validate` run with `terraform init -backend=false`.
terraform {
  backend "s3" {}
}
