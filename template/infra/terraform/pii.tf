# PII envelope encryption (pii_encryption): the data-key KMS key and the blind-index secret.

module "pii" {
  source = "./modules/pii"

  project_name = var.project_name
  environment  = var.environment
}

locals {
  pii_environment = {
    PII_KMS_KEY_IDS           = jsonencode({ "1" = module.pii.key_arn })
    PII_BLIND_INDEX_SECRET_ID = module.pii.blind_index_secret_arn
  }
}

output "pii_key_arn" {
  description = "KMS key of the PII data keys."
  value       = module.pii.key_arn
}
