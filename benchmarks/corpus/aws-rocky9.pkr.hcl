# -----------------------------------------------------------------------------
# Rocky Linux 9 golden AMI
#
# Builds a hardened Rocky Linux 9 image in every region listed in
# var.ami_regions, registers it with HCP Packer and writes a manifest that the
# promotion pipeline reads. Run with:
#
#   packer init .
#   packer build -var-file=env/prod.pkrvars.hcl .
# -----------------------------------------------------------------------------

packer {
  required_version = ">= 1.9.0"

  required_plugins {
    amazon = {
      version = ">= 1.3.1"
      source  = "github.com/hashicorp/amazon"
    }
    ansible = {
      version = "~> 1"
      source  = "github.com/hashicorp/ansible"
    }
  }
}

variable "aws_region" {
  type        = string
  default     = "us-east-1"
  description = "Region the builder instance runs in."

  validation {
    condition     = can(regex("^[a-z]{2}-[a-z]+-[0-9]$", var.aws_region))
    error_message = "The aws_region value must look like us-east-1."
  }
}

variable "ami_regions" {
  type        = list(string)
  default     = ["us-east-2", "us-west-2", "eu-west-1"]
  description = "Regions the finished AMI is copied to."
}

variable "ami_users" {
  type        = list(string)
  default     = []
  description = "Account IDs allowed to launch the AMI."

  validation {
    condition     = alltrue([for id in var.ami_users : can(regex("^[0-9]{12}$", id))])
    error_message = "Every entry in ami_users must be a 12 digit AWS account ID."
  }
}

variable "ami_org_arns" {
  type    = list(string)
  default = []
}

variable "instance_type" {
  type = map(string)
  default = {
    amd64 = "m6a.large"
    arm64 = "m7g.large"
  }
}

variable "architectures" {
  type    = set(string)
  default = ["amd64", "arm64"]

  validation {
    condition     = length(setsubtract(var.architectures, ["amd64", "arm64"])) == 0
    error_message = "Only amd64 and arm64 are supported."
  }
}

variable "vpc_id" {
  type    = string
  default = ""
}

variable "subnet_filter" {
  type = map(string)
  default = {
    "tag:Tier" = "build"
  }
}

variable "kms_key_id" {
  type      = string
  default   = "alias/packer-ami"
  sensitive = false
}

variable "encrypt_boot" {
  type    = bool
  default = true
}

variable "root_volume" {
  type = object({
    size       = number
    type       = optional(string, "gp3")
    iops       = optional(number, 3000)
    throughput = optional(number, 125)
  })
  default = {
    size = 20
  }
}

variable "extra_volumes" {
  type = list(object({
    device_name = string
    volume_size = number
    volume_type = optional(string, "gp3")
    encrypted   = optional(bool, true)
  }))
  default = [
    { device_name = "/dev/xvdb", volume_size = 20 },
    { device_name = "/dev/xvdc", volume_size = 50, volume_type = "st1" },
  ]
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Extra tags merged over the defaults."
}

variable "team" {
  type    = string
  default = "platform"
}

variable "ansible_extra_vars" {
  type = map(string)
  default = {
    cis_level    = "1"
    disable_ipv6 = "false"
  }
}

variable "skip_create_ami" {
  type    = bool
  default = false
}

variable "ssh_bastion" {
  type = object({
    host             = string
    username         = string
    private_key_file = string
  })
  default  = null
  nullable = true
}

data "amazon-ami" "base-amd64" {
  region = var.aws_region
  filters = {
    name                = "Rocky-9-EC2-Base-9.*.x86_64-*"
    architecture        = "x86_64"
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  most_recent = true
  owners      = ["792107900819"]
}

data "amazon-ami" "base-arm64" {
  region = var.aws_region
  filters = {
    name                = "Rocky-9-EC2-Base-9.*.x86_64-*"
    architecture        = "arm64"
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  most_recent = true
  owners      = ["792107900819"]
}

locals {
  timestamp   = regex_replace(timestamp(), "[- TZ:]", "")
  date        = formatdate("YYYY-MM-DD", timestamp())
  name_prefix = "rocky9"
  source_amis = {
    amd64 = data.amazon-ami.base-amd64.id
    arm64 = data.amazon-ami.base-arm64.id
  }
  default_tags = {
    Name          = "${local.name_prefix}-{{ .SourceAMIName }}"
    OS            = "Rocky Linux 9"
    Team          = var.team
    BuiltBy       = "packer"
    BuildDate     = local.date
    SourceAMI     = "{{ .SourceAMI }}"
    SourceAMIName = "{{ .SourceAMIName }}"
  }
  tags          = merge(local.default_tags, var.tags)
  snapshot_tags = merge(local.tags, { Snapshot = "true" })
  ansible_extra_args = flatten([
    for k, v in var.ansible_extra_vars : ["--extra-vars", "${k}=${v}"]
  ])
  bastion     = var.ssh_bastion == null ? {} : var.ssh_bastion
  use_bastion = var.ssh_bastion != null
}

source "amazon-ebs" "rocky9" {
  region                  = var.aws_region
  ami_regions             = var.ami_regions
  ami_users               = var.ami_users
  ami_org_arns            = var.ami_org_arns
  ami_description         = "Rocky Linux 9 golden image built ${local.date}"
  ami_virtualization_type = "hvm"
  ena_support             = true
  sriov_support           = true
  imds_support            = "v2.0"
  encrypt_boot            = var.encrypt_boot
  kms_key_id              = var.encrypt_boot ? var.kms_key_id : null
  region_kms_key_ids      = { for r in var.ami_regions : r => var.kms_key_id }
  skip_create_ami         = var.skip_create_ami
  force_deregister        = false
  force_delete_snapshot   = false

  ssh_username                 = "rocky"
  ssh_interface                = "session_manager"
  communicator                 = "ssh"
  ssh_timeout                  = "15m"
  ssh_bastion_host             = local.use_bastion ? local.bastion.host : null
  ssh_bastion_username         = local.use_bastion ? local.bastion.username : null
  ssh_bastion_private_key_file = local.use_bastion ? local.bastion.private_key_file : null
  iam_instance_profile         = "packer-ssm"

  associate_public_ip_address = false
  vpc_filter {
    filters = {
      "tag:Name"  = "build-vpc"
      "isDefault" = "false"
    }
  }
  subnet_filter {
    filters   = var.subnet_filter
    most_free = true
    random    = false
  }

  temporary_security_group_source_public_ip = false

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "enabled"
  }

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = var.root_volume.size
    volume_type           = var.root_volume.type
    iops                  = var.root_volume.iops
    throughput            = var.root_volume.throughput
    encrypted             = var.encrypt_boot
    delete_on_termination = true
  }

  dynamic "launch_block_device_mappings" {
    for_each = var.extra_volumes
    iterator = vol
    content {
      device_name           = vol.value.device_name
      volume_size           = vol.value.volume_size
      volume_type           = vol.value.volume_type
      encrypted             = vol.value.encrypted
      delete_on_termination = true
    }
  }

  run_tags        = merge(local.tags, { Builder = "packer-{{ .BuildRegion }}" })
  run_volume_tags = local.tags
  snapshot_tags   = local.snapshot_tags
  tags            = local.tags

  aws_polling {
    delay_seconds = 30
    max_attempts  = 120
  }
}

build {
  name        = "rocky9"
  description = <<-EOT
    Rocky Linux 9 golden image. Hardened with the CIS role, patched, and
    cleaned of host keys and machine IDs before capture.
  EOT

  hcp_packer_registry {
    bucket_name = "rocky9"
    description = "Rocky Linux 9 golden image"
    bucket_labels = {
      "os"   = "rocky"
      "team" = var.team
    }
    build_labels = {
      "build-time"   = local.timestamp
      "build-source" = basename(path.cwd)
    }
  }

  source "amazon-ebs.rocky9" {
    name          = "amd64"
    ami_name      = "${local.name_prefix}-amd64-${local.timestamp}"
    instance_type = var.instance_type["amd64"]
    source_ami    = local.source_amis.amd64
  }

  source "amazon-ebs.rocky9" {
    name          = "arm64"
    ami_name      = "${local.name_prefix}-arm64-${local.timestamp}"
    instance_type = var.instance_type.arm64
    source_ami    = local.source_amis["arm64"]
  }

  provisioner "shell" {
    inline = [
      "cloud-init status --wait",
      "sudo dnf update -y",
    ]
    max_retries = 3
  }

  provisioner "file" {
    source      = "${path.root}/files/"
    destination = "/tmp/files"
  }

  provisioner "shell" {
    environment_vars = [
      "ARCH=${source.name}",
      "IMAGE_NAME=${local.name_prefix}",
      "DEBIAN_FRONTEND=noninteractive",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo -E sh -c '{{ .Vars }} {{ .Path }}'"
    scripts = [
      "${path.root}/scripts/base.sh",
      "${path.root}/scripts/ssm-agent.sh",
      "${path.root}/scripts/cloudwatch-agent.sh",
    ]
    pause_before = "10s"
  }

  provisioner "ansible" {
    playbook_file = "${path.root}/ansible/harden.yml"
    user          = "rocky"
    use_proxy     = false
    ansible_env_vars = [
      "ANSIBLE_HOST_KEY_CHECKING=False",
      "ANSIBLE_SSH_ARGS='-o ForwardAgent=yes -o ControlMaster=auto -o ControlPersist=60s'",
      "ANSIBLE_NOCOLOR=True",
    ]
    extra_arguments = concat(local.ansible_extra_args, ["--scp-extra-args", "'-O'"])
    only            = ["amazon-ebs.amd64"]
  }

  provisioner "ansible" {
    playbook_file   = "${path.root}/ansible/harden.yml"
    user            = "rocky"
    use_proxy       = false
    extra_arguments = concat(local.ansible_extra_args, ["--extra-vars", "graviton=true"])
    except          = ["amazon-ebs.amd64"]
  }

  provisioner "shell" {
    inline = [
      "sudo rm -rf /tmp/files",
      "sudo truncate -s 0 /etc/machine-id",
      "sudo rm -f /etc/ssh/ssh_host_*",
      "sudo cloud-init clean --logs --seed",
      "history -c",
    ]
    skip_clean = true
  }

  error-cleanup-provisioner "shell-local" {
    inline = ["echo 'build ${build.ID} failed on ${source.name}' >> ${path.root}/failures.log"]
  }

  post-processor "manifest" {
    output     = "manifests/rocky9.json"
    strip_path = true
    custom_data = {
      arch            = source.name
      timestamp       = local.timestamp
      source_ami      = build.SourceAMI
      source_ami_name = build.SourceAMIName
    }
  }

  post-processor "shell-local" {
    environment_vars = ["MANIFEST=manifests/rocky9.json"]
    inline = [
      "jq -r '.builds[-1].artifact_id' $MANIFEST | tr ',' '\\n' > manifests/rocky9-${source.name}.ids",
    ]
  }
}
