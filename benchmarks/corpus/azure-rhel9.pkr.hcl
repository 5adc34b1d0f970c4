/*
 * Red Hat Enterprise Linux 9 image for the Azure Compute Gallery.
 *
 * Builds a managed image in the build resource group and publishes it
 * as a new version of the gallery image definition, replicated to every
 * region in var.replication_regions.
 */

packer {
  required_plugins {
    azure = {
      source  = "github.com/hashicorp/azure"
      version = "~> 2"
    }
  }
}

variable "subscription_id" {
  type    = string
  default = env("ARM_SUBSCRIPTION_ID")
}

variable "tenant_id" {
  type    = string
  default = env("ARM_TENANT_ID")
}

variable "client_id" {
  type      = string
  default   = env("ARM_CLIENT_ID")
  sensitive = true
}

variable "client_secret" {
  type      = string
  default   = env("ARM_CLIENT_SECRET")
  sensitive = true
}

variable "use_azure_cli_auth" {
  type    = bool
  default = false
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "vm_size" {
  type    = string
  default = "Standard_D4s_v5"
}

variable "build_resource_group" {
  type    = string
  default = "rg-packer-build"
}

variable "gallery" {
  type = object({
    resource_group       = string
    name                 = string
    image_name           = string
    storage_account_type = optional(string, "Standard_LRS")
  })
  default = {
    resource_group = "rg-images"
    name           = "gal_shared_images"
    image_name     = "rhel-9"
  }
}

variable "replication_regions" {
  type    = list(string)
  default = ["westeurope", "northeurope", "uksouth"]
}

variable "image_version" {
  type        = string
  default     = ""
  description = "Gallery image version (major.minor.patch). Empty means derive it from the build date."

  validation {
    condition     = var.image_version == "" || can(regex("^\\d+\\.\\d+\\.\\d+$", var.image_version))
    error_message = "The image_version must be empty or look like 1.2.3."
  }
}

variable "base_image" {
  type = object({
    publisher = string
    offer     = string
    sku       = string
    version   = optional(string, "latest")
  })
  default = {
    publisher = "RedHat"
    offer     = "RHEL"
    sku       = "9-lvm-gen2"
  }
}

variable "azure_tags" {
  type = map(string)
  default = {
    environment = "shared"
    costcenter  = "it-0042"
  }
}

variable "virtual_network" {
  type = object({
    name                = string
    subnet_name         = string
    resource_group_name = string
  })
  default = null
}

variable "packages" {
  type    = list(string)
  default = ["jq", "unzip", "audit", "chrony", "insights-client"]
}

locals {
  now                = timestamp()
  version            = var.image_version != "" ? var.image_version : formatdate("YYYY.MMDD.hhmm", local.now)
  managed_image_name = "rhel-9-${formatdate("YYYYMMDDhhmmss", local.now)}"
  tags = merge(var.azure_tags, {
    os         = "rhel"
    built_by   = "packer"
    base_image = "${var.base_image.publisher}:${var.base_image.offer}:${var.base_image.sku}:${var.base_image.version}"
  })
  replicas = [for r in distinct(concat([var.location], var.replication_regions)) : r]
  use_vnet = var.virtual_network != null
}

source "azure-arm" "rhel9" {
  subscription_id    = var.subscription_id
  tenant_id          = var.use_azure_cli_auth ? null : var.tenant_id
  client_id          = var.use_azure_cli_auth ? null : var.client_id
  client_secret      = var.use_azure_cli_auth ? null : var.client_secret
  use_azure_cli_auth = var.use_azure_cli_auth

  os_type         = "Linux"
  image_publisher = var.base_image.publisher
  image_offer     = var.base_image.offer
  image_sku       = var.base_image.sku
  image_version   = var.base_image.version

  build_resource_group_name          = var.build_resource_group
  vm_size                            = var.vm_size
  os_disk_size_gb                    = 64
  managed_image_name                 = local.managed_image_name
  managed_image_resource_group_name  = var.gallery.resource_group
  managed_image_storage_account_type = "Premium_LRS"

  virtual_network_name                   = local.use_vnet ? var.virtual_network.name : null
  virtual_network_subnet_name            = local.use_vnet ? var.virtual_network.subnet_name : null
  virtual_network_resource_group_name    = local.use_vnet ? var.virtual_network.resource_group_name : null
  private_virtual_network_with_public_ip = false

  shared_image_gallery_destination {
    subscription         = var.subscription_id
    resource_group       = var.gallery.resource_group
    gallery_name         = var.gallery.name
    image_name           = var.gallery.image_name
    image_version        = local.version
    replication_regions  = local.replicas
    storage_account_type = var.gallery.storage_account_type
  }
  shared_image_gallery_timeout                     = "2h"
  shared_gallery_image_version_exclude_from_latest = false

  azure_tags = local.tags

  communicator = "ssh"
  ssh_username = "packer"
  ssh_timeout  = "20m"
}

build {
  sources = ["source.azure-arm.rhel9"]

  hcp_packer_registry {
    bucket_name = "azure-rhel9"
    description = <<EOT
Red Hat Enterprise Linux 9 images published to ${var.gallery.name}.
EOT
    bucket_labels = {
      "cloud" = "azure"
      "os"    = "rhel"
    }
    build_labels = {
      "version"  = local.version
      "location" = var.location
    }
  }

  provisioner "shell" {
    inline = ["while [ ! -f /var/lib/cloud/instance/boot-finished ]; do echo 'Waiting for cloud-init...'; sleep 1; done"]
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; {{ .Vars }} sudo -E sh '{{ .Path }}'"
    environment_vars = [
      "PACKAGES=${join(" ", var.packages)}",
    ]
    inline = [
      "dnf -y update",
      "dnf -y install $PACKAGES",
      "curl -sL https://aka.ms/InstallAzureCLIDeb | bash || true",
    ]
    max_retries = 2
  }

  provisioner "file" {
    sources = [
      "${path.root}/files/sshd_config",
      "${path.root}/files/99-hardening.conf",
    ]
    destination = "/tmp/"
  }

  provisioner "shell" {
    execute_command = "chmod +x {{ .Path }}; {{ .Vars }} sudo -E sh '{{ .Path }}'"
    inline = [
      "install -m 0600 /tmp/sshd_config /etc/ssh/sshd_config",
      "install -m 0644 /tmp/99-hardening.conf /etc/sysctl.d/99-hardening.conf",
      "/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync",
    ]
    inline_shebang = "/bin/sh -x"
    skip_clean     = true
  }

  post-processor "manifest" {
    output     = "packer-manifest.json"
    strip_path = true
    custom_data = {
      gallery_image_version = local.version
      replicated_to         = join(",", local.replicas)
    }
  }
}
