# Rocky Linux 9 (optimized for GCP) image for Google Compute Engine.
# Published into the image family "rocky-9-base" of var.project_id and shared with
# the consumer projects listed in var.image_consumers.

packer {
  required_plugins {
    googlecompute = {
      version = ">= 1.1.4"
      source  = "github.com/hashicorp/googlecompute"
    }
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}

variable "project_id" {
  type        = string
  description = "Project that owns the image."
}

variable "build_project_id" {
  type        = string
  default     = null
  description = "Project the temporary build VM runs in; defaults to project_id."
}

variable "zones" {
  type    = list(string)
  default = ["europe-west4-a", "us-central1-b", "asia-northeast1-c"]
}

variable "machine_type" {
  type    = string
  default = "n2d-standard-2"
}

variable "source_image_family" {
  type    = string
  default = "rocky-linux-9-optimized-gcp"
}

variable "source_image_project_id" {
  type    = list(string)
  default = ["rocky-linux-cloud"]
}

variable "network" {
  type = object({
    project          = optional(string)
    network          = optional(string, "default")
    subnetwork       = optional(string)
    use_internal_ip  = optional(bool, true)
    omit_external_ip = optional(bool, true)
    tags             = optional(list(string), ["packer-build"])
  })
  default = {}
}

variable "image_consumers" {
  type = map(list(string))
  default = {
    "roles/compute.imageUser" = [
      "group:gce-image-users@example.com",
      "serviceAccount:deployer@prod-apps.iam.gserviceaccount.com",
    ]
  }
}

variable "image_storage_locations" {
  type    = list(string)
  default = ["eu", "us"]

  validation {
    condition     = alltrue([for l in var.image_storage_locations : contains(["eu", "us", "asia"], l)])
    error_message = "Storage locations must be multi-regions: eu, us or asia."
  }
}

variable "enable_secure_boot" {
  type    = bool
  default = true
}

variable "labels" {
  type    = map(string)
  default = {}
}

variable "startup_packages" {
  type    = list(string)
  default = ["audit", "policycoreutils-python-utils", "dnf-automatic"]
}

variable "kms_key" {
  type      = string
  default   = ""
  sensitive = true
}

locals {
  build_project = coalesce(var.build_project_id, var.project_id)
  build_id      = formatdate("YYYYMMDD't'hhmmss", timestamp())
  image_name    = "rocky-9-base-v${local.build_id}"
  labels = merge({
    os       = "rocky"
    family   = "rocky-9-base"
    builder  = "packer"
    build_id = lower(local.build_id)
  }, { for k, v in var.labels : lower(k) => lower(replace(v, "/[^a-zA-Z0-9_-]/", "_")) })
  zone_sources   = { for z in var.zones : replace(z, "-", "_") => z }
  first_zone     = var.zones[0]
  regions        = distinct([for z in var.zones : regex("^([a-z]+-[a-z0-9]+)-[a-z]$", z)[0]])
  startup_script = <<-EOT
    #!/usr/bin/env bash
    set -euo pipefail
    # Wait for the guest environment before provisioning starts.
    until systemctl is-active --quiet google-guest-agent; do sleep 2; done
    dnf install -y ${join(" ", var.startup_packages)}
    echo "startup finished for ${local.image_name}" | logger -t packer
  EOT
  kms            = var.kms_key == "" ? null : var.kms_key
}

source "googlecompute" "rocky9" {
  project_id              = local.build_project
  zone                    = local.first_zone
  machine_type            = var.machine_type
  source_image_family     = var.source_image_family
  source_image_project_id = var.source_image_project_id
  disk_size               = 30
  disk_type               = "pd-ssd"

  image_name              = local.image_name
  image_family            = "rocky-9-base"
  image_description       = "Rocky Linux 9 (optimized for GCP) built ${local.build_id}"
  image_project_id        = var.project_id
  image_labels            = local.labels
  image_storage_locations = var.image_storage_locations
  image_encryption_key {
    kmsKeyName = local.kms
  }
  image_guest_os_features = var.enable_secure_boot ? ["UEFI_COMPATIBLE", "GVNIC", "SEV_CAPABLE"] : ["GVNIC"]

  network_project_id = var.network.project
  network            = var.network.network
  subnetwork         = var.network.subnetwork
  use_internal_ip    = var.network.use_internal_ip
  omit_external_ip   = var.network.omit_external_ip
  tags               = var.network.tags

  enable_secure_boot          = var.enable_secure_boot
  enable_vtpm                 = var.enable_secure_boot
  enable_integrity_monitoring = var.enable_secure_boot

  metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }
  startup_script_file = null
  metadata_files      = {}
  scopes = [
    "https://www.googleapis.com/auth/cloud-platform",
  ]
  ssh_username  = "packer"
  use_os_login  = true
  state_timeout = "10m"
}

build {
  name = "rocky9"

  source "source.googlecompute.rocky9" {
    name = "primary"
  }

  source "source.googlecompute.rocky9" {
    name                = "arm64"
    machine_type        = "t2a-standard-2"
    zone                = "us-central1-a"
    source_image_family = "rocky-linux-9-optimized-gcp-arm64"
    image_family        = "rocky-9-base-arm64"
    image_name          = "rocky-9-base-arm64-v${local.build_id}"
  }

  provisioner "shell" {
    inline          = [local.startup_script]
    execute_command = "sudo bash -c '{{ .Vars }} {{ .Path }}'"
    max_retries     = 2
  }

  provisioner "ansible" {
    playbook_file = "${path.root}/ansible/gce.yml"
    user          = "packer"
    extra_arguments = [
      "--extra-vars", "image_family=rocky-9-base",
      "--extra-vars", "regions=${join(",", local.regions)}",
      "--tags", "base,monitoring,logging",
    ]
    ansible_ssh_extra_args = ["-o IdentitiesOnly=yes", "-o HostKeyAlgorithms=+ssh-rsa", "-o PubkeyAcceptedKeyTypes=+ssh-rsa"]
    except                 = []
  }

  provisioner "shell" {
    inline = [
      "sudo rm -rf /var/log/*.gz /var/log/journal/* /tmp/*",
      "sudo sync",
    ]
  }

  post-processors {
    post-processor "manifest" {
      output     = "manifest-rocky9.json"
      strip_path = true
      custom_data = {
        image_family = "rocky-9-base"
        project      = var.project_id
        consumers    = jsonencode(var.image_consumers)
      }
    }
    post-processor "shell-local" {
      inline = concat(
        [for role, members in var.image_consumers : join(" ", concat(["gcloud compute images add-iam-policy-binding", local.image_name, "--project", var.project_id, "--role", role], [for m in members : "--member=${m}"]))],
        ["gcloud compute images describe ${local.image_name} --project ${var.project_id} --format=json > image-rocky9.json"],
      )
    }
  }
}
