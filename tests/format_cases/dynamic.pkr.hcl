variable "extra_volumes" {
  type = list(object({
    device = string
    size   = number
  }))
  default = [
    { device = "/dev/sdb", size = 10 },
    { device = "/dev/sdc", size = 20 },
  ]
}

source "amazon-ebs" "base" {
  ami_name      = "base-{{timestamp}}"
  instance_type = "t3.small"
  region        = "eu-west-1"
  source_ami    = "ami-0123456789abcdef0"
  ssh_username  = "ec2-user"

  dynamic "launch_block_device_mappings" {
    for_each = var.extra_volumes
    iterator = vol
    content {
      device_name           = vol.value.device
      volume_size           = vol.value.size
      delete_on_termination = true
    }
  }

  dynamic "tag" {
    for_each = { for k, v in var.labels : k => v if v != "" }
    content {
      key   = tag.key
      value = tag.value
    }
  }
}

build {
  sources = ["source.amazon-ebs.base"]

  dynamic "provisioner" {
    labels   = ["shell"]
    for_each = var.scripts
    content {
      script = provisioner.value
    }
  }
}
