# Child images built on top of the golden parents tracked in HCP Packer.
#
# The parent AMI is resolved through the HCP Packer registry (channel
# "production" by default) so that a parent revocation blocks children.

packer {
  required_plugins {
    amazon = {
      version = ">= 1.2.6"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

variable "hcp_bucket_name" {
  type    = string
  default = "ubuntu-jammy"
}

variable "hcp_channel" {
  type    = string
  default = "production"

  validation {
    condition     = contains(["development", "staging", "production"], var.hcp_channel)
    error_message = "The channel must be development, staging or production."
  }
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "apps" {
  type = map(object({
    instance_type = string
    packages      = list(string)
    ports         = list(number)
    service_user  = optional(string, "app")
    config        = optional(map(string), {})
  }))
  default = {
    nginx = {
      instance_type = "t3.small"
      packages      = ["nginx", "certbot", "python3-certbot-nginx"]
      ports         = [80, 443]
      config        = { worker_processes = "auto", keepalive_timeout = "65" }
    }
    consul = {
      instance_type = "t3.medium"
      packages      = ["consul", "jq"]
      ports         = [8300, 8301, 8500, 8600]
      service_user  = "consul"
    }
    vault = {
      instance_type = "t3.medium"
      packages      = ["vault", "jq"]
      ports         = [8200, 8201]
      service_user  = "vault"
      config        = { ui = "true", disable_mlock = "false" }
    }
  }
}

data "hcp-packer-version" "parent" {
  bucket_name  = var.hcp_bucket_name
  channel_name = var.hcp_channel
}

data "hcp-packer-artifact" "parent" {
  bucket_name         = var.hcp_bucket_name
  version_fingerprint = data.hcp-packer-version.parent.fingerprint
  platform            = "aws"
  region              = var.region
}

locals {
  stamp      = formatdate("YYYYMMDDhhmm", timestamp())
  parent_ami = data.hcp-packer-artifact.parent.external_identifier
  app_names  = sort(keys(var.apps))
  open_ports = { for name, app in var.apps : name => join(" ", [for p in app.ports : tostring(p)]) }
  config_lines = {
    for name, app in var.apps : name => [for k, v in app.config : "${k} = ${v}"]
  }
  hashicorp_repo = <<-EOS
    curl -fsSL https://apt.releases.hashicorp.com/gpg | sudo gpg --dearmor -o /usr/share/keyrings/hashicorp.gpg
    echo "deb [signed-by=/usr/share/keyrings/hashicorp.gpg] https://apt.releases.hashicorp.com $(lsb_release -cs) main" | sudo tee /etc/apt/sources.list.d/hashicorp.list
  EOS
}

source "amazon-ebs" "child" {
  region       = var.region
  source_ami   = local.parent_ami
  ssh_username = "ubuntu"
  tags = {
    Parent        = local.parent_ami
    ParentChannel = var.hcp_channel
    ParentVersion = data.hcp-packer-version.parent.fingerprint
  }
}

build {
  hcp_packer_registry {
    bucket_name = "app-images"
    description = <<-EOT
      Application images (${join(", ", local.app_names)}) derived from the
      ${var.hcp_bucket_name} golden image on the ${var.hcp_channel} channel.
    EOT
    bucket_labels = {
      "team"   = "platform"
      "parent" = var.hcp_bucket_name
    }
    build_labels = {
      "parent-version" = data.hcp-packer-version.parent.fingerprint
      "built-at"       = local.stamp
    }
  }

  source "amazon-ebs.child" {
    name          = "nginx"
    ami_name      = "nginx-${local.stamp}"
    instance_type = var.apps.nginx.instance_type
  }

  source "amazon-ebs.child" {
    name          = "consul"
    ami_name      = "consul-${local.stamp}"
    instance_type = var.apps.consul.instance_type
  }

  source "amazon-ebs.child" {
    name          = "vault"
    ami_name      = "vault-${local.stamp}"
    instance_type = var.apps.vault.instance_type
  }

  provisioner "shell" {
    except = ["amazon-ebs.nginx"]
    inline = split("\n", trimspace(local.hashicorp_repo))
  }

  provisioner "shell" {
    environment_vars = [
      "APP=${source.name}",
      "PACKAGES=${join(" ", var.apps[source.name].packages)}",
      "PORTS=${local.open_ports[source.name]}",
      "SERVICE_USER=${var.apps[source.name].service_user}",
    ]
    inline = [
      "sudo apt-get update",
      "sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $PACKAGES",
      "id -u $SERVICE_USER || sudo useradd --system --home /etc/$APP --shell /bin/false $SERVICE_USER",
      "for p in $PORTS; do sudo ufw allow $p/tcp; done",
    ]
    max_retries = 3
  }

  provisioner "file" {
    content     = join("\n", local.config_lines[source.name])
    destination = "/tmp/${source.name}.conf"
  }

  provisioner "shell" {
    inline = ["sudo install -o root -g root -m 0644 /tmp/${source.name}.conf /etc/${source.name}/packer.conf"]
    override = {
      nginx = {
        inline = ["sudo install -m 0644 /tmp/nginx.conf /etc/nginx/conf.d/packer.conf", "sudo nginx -t"]
      }
    }
  }

  post-processor "manifest" {
    output = "manifest-${source.name}.json"
    custom_data = {
      parent  = local.parent_ami
      channel = var.hcp_channel
    }
  }
}
