# One state per environment (backend.hcl), one module per concern; each module the answers brought
# is called from its own file (cache.tf, pii.tf, identity-*.tf, compute-*.tf, edge.tf, audit.tf).

locals {
  log_retention_days = { dev = 30, staging = 90, prod = 365 }[var.environment]
  function_packages  = var.function_packages_dir != "" ? var.function_packages_dir : abspath("${path.root}/../../build/functions")
}

module "network" {
  source = "./modules/network"

  project_name       = var.project_name
  environment        = var.environment
  vpc_cidr           = var.vpc_cidr
  log_retention_days = local.log_retention_days
}

module "data" {
  source = "./modules/data"

  project_name              = var.project_name
  environment               = var.environment
  vpc_id                    = module.network.vpc_id
  data_subnet_ids           = module.network.data_subnet_ids
  app_security_group_id     = module.network.app_security_group_id
  database_name             = var.database_name
  master_username           = var.database_master_username
  engine_major_version      = var.database_engine_major_version
  instance_class            = var.database_instance_class
  allocated_storage_gib     = var.database_allocated_storage_gib
  max_allocated_storage_gib = var.database_max_allocated_storage_gib
  log_retention_days        = local.log_retention_days
}
