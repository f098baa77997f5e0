# Shared rate-limit store (rate_limiting): its URL reaches the app as a secret.

variable "cache_node_type" {
  description = "Node type of the rate-limit cache."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.cache_node_type))
    error_message = "cache_node_type must look like cache.t4g.micro."
  }
}

variable "cache_engine_version" {
  description = "Valkey version of the rate-limit cache."
  type        = string
  default     = "8.0"

  validation {
    condition     = contains(["7.2", "8.0"], var.cache_engine_version)
    error_message = "cache_engine_version must be 7.2 or 8.0."
  }
}

module "cache" {
  source = "./modules/cache"

  project_name          = var.project_name
  environment           = var.environment
  vpc_id                = module.network.vpc_id
  data_subnet_ids       = module.network.data_subnet_ids
  app_security_group_id = module.network.app_security_group_id
  node_type             = var.cache_node_type
  engine_version        = var.cache_engine_version
  log_retention_days    = local.log_retention_days
}

output "cache_url_secret_arn" {
  description = "Secret holding the app's RATE_LIMIT_STORAGE_URI."
  value       = module.cache.url_secret_arn
}
