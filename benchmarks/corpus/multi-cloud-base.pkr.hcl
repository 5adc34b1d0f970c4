# =============================================================================
# Multi-cloud base image
#
# One build, three clouds: the same provisioning runs on AWS, Azure and GCP
# so that fleets look identical wherever they run. Cloud specific steps are
# gated with `only` / `except`, and per-source tweaks use `override`.
# =============================================================================

packer {
  required_version = ">= 1.10.0, < 2.0.0"
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = ">= 1.3.0"
    }
    azure = {
      source  = "github.com/hashicorp/azure"
      version = ">= 2.1.0"
    }
    googlecompute = {
      source  = "github.com/hashicorp/googlecompute"
      version = ">= 1.1.0"
    }
    ansible = {
      source  = "github.com/hashicorp/ansible"
      version = ">= 1.1.0"
    }
  }
}

variable "clouds" {
  type        = list(string)
  default     = ["aws", "azure", "gcp"]
  description = "Which clouds to build for."

  validation {
    condition     = length(var.clouds) > 0 && alltrue([for c in var.clouds : contains(["aws", "azure", "gcp"], c)])
    error_message = "The clouds list may only contain aws, azure and gcp, and must not be empty."
  }
}

variable "image_name" {
  type    = string
  default = "base"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.image_name))
    error_message = "The image_name must be 3-41 lowercase letters, digits or dashes and start with a letter."
  }

  validation {
    condition     = !startswith(var.image_name, "test-")
    error_message = "Test images must not use the production template."
  }
}

variable "release" {
  type    = string
  default = "2024.07"
}

variable "aws" {
  type = object({
    region        = string
    instance_type = optional(string, "t3.small")
    copy_to       = optional(list(string), [])
    share_with    = optional(list(string), [])
  })
  default = {
    region  = "us-east-1"
    copy_to = ["us-west-2"]
  }
}

variable "azure" {
  type = object({
    subscription_id = string
    resource_group  = string
    location        = optional(string, "eastus")
    vm_size         = optional(string, "Standard_B2s")
  })
  default = {
    subscription_id = "00000000-0000-0000-0000-000000000000"
    resource_group  = "rg-images"
  }
}

variable "gcp" {
  type = object({
    project_id   = string
    zone         = optional(string, "us-central1-a")
    machine_type = optional(string, "e2-small")
  })
  default = {
    project_id = "example-images"
  }
}

variable "owners" {
  type = map(list(string))
  default = {
    security = ["alice@example.com", "bob@example.com"]
    platform = ["carol@example.com"]
  }
}

variable "cis_level" {
  type    = number
  default = 1

  validation {
    condition     = contains([1, 2], var.cis_level)
    error_message = "CIS level must be 1 or 2."
  }
}

data "amazon-ami" "ubuntu" {
  region = var.aws.region
  filters = {
    name                = "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*"
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  most_recent = true
  owners      = ["099720109477"]
}

data "amazon-parameterstore" "cis_benchmark_version" {
  name            = "/images/cis/ubuntu2204/version"
  region          = var.aws.region
  with_decryption = false
}

locals {
  build_time = timestamp()
  suffix     = formatdate("YYYYMMDDhhmm", local.build_time)
  full_name  = "${var.image_name}-${replace(var.release, ".", "")}-${local.suffix}"
  enabled    = { for c in ["aws", "azure", "gcp"] : c => contains(var.clouds, c) }
  sources = compact([
    local.enabled.aws ? "source.amazon-ebs.base" : "",
    local.enabled.azure ? "source.azure-arm.base" : "",
    local.enabled.gcp ? "source.googlecompute.base" : "",
  ])
  all_owners       = sort(distinct(flatten(values(var.owners))))
  owners_by_domain = { for o in local.all_owners : split("@", o)[1] => o... }
  common_labels = {
    image   = var.image_name
    release = var.release
    owner   = "platform"
    cis     = tostring(var.cis_level)
  }
  aws_tags    = { for k, v in local.common_labels : title(k) => v }
  gcp_labels  = { for k, v in local.common_labels : k => lower(replace(v, ".", "-")) }
  cis_version = data.amazon-parameterstore.cis_benchmark_version.value
}

source "amazon-ebs" "base" {
  region        = var.aws.region
  source_ami    = data.amazon-ami.ubuntu.id
  instance_type = var.aws.instance_type
  ami_name      = local.full_name
  ami_regions   = var.aws.copy_to
  ami_users     = var.aws.share_with
  ssh_username  = "ubuntu"
  tags          = merge(local.aws_tags, { CISVersion = local.cis_version })
}

source "azure-arm" "base" {
  use_azure_cli_auth                = true
  subscription_id                   = var.azure.subscription_id
  location                          = var.azure.location
  vm_size                           = var.azure.vm_size
  os_type                           = "Linux"
  image_publisher                   = "Canonical"
  image_offer                       = "0001-com-ubuntu-server-jammy"
  image_sku                         = "22_04-lts-gen2"
  managed_image_name                = local.full_name
  managed_image_resource_group_name = var.azure.resource_group
  azure_tags                        = local.common_labels
}

source "googlecompute" "base" {
  project_id          = var.gcp.project_id
  zone                = var.gcp.zone
  machine_type        = var.gcp.machine_type
  source_image_family = "ubuntu-2204-lts"
  image_name          = local.full_name
  image_family        = var.image_name
  image_labels        = local.gcp_labels
  ssh_username        = "packer"
}

build {
  name    = var.image_name
  sources = local.sources

  provisioner "shell" {
    inline = ["/usr/bin/cloud-init status --wait"]
  }

  # Cloud agents: each cloud gets its own guest tooling.
  provisioner "shell" {
    only = ["amazon-ebs.base"]
    inline = [
      "sudo snap install amazon-ssm-agent --classic",
      "sudo systemctl enable snap.amazon-ssm-agent.amazon-ssm-agent.service",
    ]
  }

  provisioner "shell" {
    only   = ["azure-arm.base"]
    inline = ["sudo apt-get install -y walinuxagent && sudo systemctl enable walinuxagent"]
  }

  provisioner "shell" {
    only   = ["googlecompute.base"]
    inline = ["sudo apt-get install -y google-guest-agent google-osconfig-agent"]
  }

  provisioner "ansible" {
    playbook_file = "./ansible/cis.yml"
    user          = "ubuntu"
    extra_arguments = [
      "--extra-vars", "cis_level=${var.cis_level}",
      "--extra-vars", "cis_version=${local.cis_version}",
      "--extra-vars", "owners=${join(",", local.all_owners)}",
    ]
    override = {
      "googlecompute.base" = {
        user = "packer"
      }
      "azure-arm.base" = {
        user            = "packer"
        extra_arguments = ["--extra-vars", "cis_level=${var.cis_level}", "--skip-tags", "aws_only"]
      }
    }
    max_retries = 1
  }

  provisioner "shell" {
    except = ["azure-arm.base"]
    inline = ["sudo rm -rf /tmp/* /var/tmp/*", "sudo cloud-init clean"]
  }

  provisioner "shell" {
    only            = ["azure-arm.base"]
    execute_command = "chmod +x {{ .Path }}; {{ .Vars }} sudo -E sh '{{ .Path }}'"
    inline          = ["/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync"]
    inline_shebang  = "/bin/sh -x"
  }

  error-cleanup-provisioner "shell-local" {
    inline = [
      "echo \"${build.name} failed for ${source.type}.${source.name} at $(date)\"",
    ]
  }

  post-processor "manifest" {
    output = "manifests/${var.image_name}.json"
    custom_data = {
      release = var.release
      owners  = join(" ", local.all_owners)
      cloud   = source.type
    }
  }
}
