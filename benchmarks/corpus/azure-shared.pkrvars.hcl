# Azure Compute Gallery settings shared by every azure-*.pkr.hcl template.
# Authentication comes from ARM_* environment variables in CI, or the
# Azure CLI when use_azure_cli_auth is true on a workstation.

use_azure_cli_auth   = false
location             = "westeurope"
build_resource_group = "rg-packer-build-weu"

gallery = {
  resource_group       = "rg-images-weu"
  name                 = "gal_shared_images_weu"
  image_name           = "ubuntu-22_04-lts"
  storage_account_type = "Standard_ZRS"
}

replication_regions = [
  "westeurope",
  "northeurope",
  "uksouth",
  "swedencentral",
  "francecentral",
]

image_version = ""

base_image = {
  publisher = "Canonical"
  offer     = "0001-com-ubuntu-server-jammy"
  sku       = "22_04-lts-gen2"
  version   = "latest"
}

azure_tags = {
  environment         = "shared"
  costcenter          = "it-0042"
  owner               = "cloud-platform@example.com"
  managed_by          = "packer"
  data_classification = "internal"
  "ms-resource-usage" = "azure-cloud-shell"
}

virtual_network = {
  name                = "vnet-build-weu"
  subnet_name         = "snet-packer"
  resource_group_name = "rg-network-weu"
}

packages = [
  "jq",
  "unzip",
  "auditd",
  "chrony",
  "azure-cli",
  "moby-engine",
  "moby-cli",
  "blobfuse2",
  "azcopy",
]

vm_size = "Standard_D4s_v5"

# ---------------------------------------------------------------------------
# Multi-cloud template (multi-cloud-base.pkr.hcl) uses the nested objects
# below; the flat values above are for the single-cloud Azure templates.
# ---------------------------------------------------------------------------

clouds     = ["azure"]
image_name = "base"
release    = "2024.07"

azure = {
  subscription_id = "11111111-2222-3333-4444-555555555555"
  resource_group  = "rg-images-weu"
  location        = "westeurope"
  vm_size         = "Standard_B2ms"
}

aws = {
  region = "eu-west-1"
}

gcp = {
  project_id = "example-images"
}

owners = {
  security = [
    "alice@example.com",
    "bob@example.com",
  ]
  platform = [
    "carol@example.com",
    "dave@example.org",
  ]
  network = [
    "erin@example.net",
  ]
}

cis_level = 2
