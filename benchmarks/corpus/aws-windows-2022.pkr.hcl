// Windows Server 2022 base AMI.
// WinRM over HTTPS is bootstrapped through user_data; the image is
// patched, sysprepped with EC2Launch v2 and shut down by Packer.

packer {
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1.3"
    }
    windows-update = {
      source  = "github.com/rgl/windows-update"
      version = "0.15.0"
    }
  }
}

variable "region" {
  type    = string
  default = "eu-central-1"
}

variable "instance_type" {
  type    = string
  default = "m6i.xlarge"
}

variable "winrm_username" {
  type    = string
  default = "Administrator"
}

variable "winrm_password" {
  type        = string
  sensitive   = true
  description = "Temporary Administrator password set by user_data; rotated by EC2Launch at first boot."

  validation {
    condition     = length(var.winrm_password) >= 14
    error_message = "The winrm_password must be at least 14 characters."
  }
}

variable "editions" {
  type = map(object({
    ami_filter = string
    suffix     = string
    features   = list(string)
  }))
  default = {
    core = {
      ami_filter = "Windows_Server-2022-English-Core-Base-*"
      suffix     = "core"
      features   = ["Web-Server", "NET-Framework-45-Core"]
    }
    full = {
      ami_filter = "Windows_Server-2022-English-Full-Base-*"
      suffix     = "full"
      features   = ["Web-Server", "NET-Framework-45-Core", "RSAT-AD-Tools"]
    }
  }
}

variable "windows_update_filters" {
  type = list(string)
  default = [
    "exclude:$_.Title -like '*Preview*'",
    "include:$true",
  ]
}

variable "chocolatey_packages" {
  type    = list(string)
  default = ["7zip", "git", "googlechrome", "notepadplusplus", "awscli", "powershell-core"]
}

variable "domain_join" {
  type = object({
    enabled = bool
    domain  = optional(string, "corp.example.com")
    ou      = optional(string)
  })
  default = {
    enabled = false
  }
}

data "amazon-ami" "core" {
  region = var.region
  filters = {
    name                = var.editions["core"].ami_filter
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  owners      = ["amazon"]
  most_recent = true
}

data "amazon-ami" "full" {
  region = var.region
  filters = {
    name                = var.editions.full.ami_filter
    root-device-type    = "ebs"
    virtualization-type = "hvm"
  }
  owners      = ["amazon"]
  most_recent = true
}

locals {
  stamp         = formatdate("YYYYMMDD-hhmm", timestamp())
  features      = distinct(flatten([for e in var.editions : e.features]))
  choco_install = join("; ", [for p in var.chocolatey_packages : "choco install -y --no-progress ${p}"])
  user_data     = <<-EOF
    <powershell>
    $ErrorActionPreference = "Stop"
    net user ${var.winrm_username} "${var.winrm_password}"
    wmic useraccount where "name='${var.winrm_username}'" set PasswordExpires=FALSE

    # Configure WinRM over HTTPS with a self-signed certificate
    $cert = New-SelfSignedCertificate -DnsName $env:COMPUTERNAME -CertStoreLocation Cert:\LocalMachine\My
    winrm create winrm/config/Listener?Address=*+Transport=HTTPS "@{Hostname=`"$env:COMPUTERNAME`";CertificateThumbprint=`"$($cert.Thumbprint)`"}"
    winrm set winrm/config/service/auth '@{Basic="true"}'
    New-NetFirewallRule -DisplayName "WinRM HTTPS" -Direction Inbound -LocalPort 5986 -Protocol TCP -Action Allow
    Restart-Service winrm
    </powershell>
  EOF
}

source "amazon-ebs" "windows" {
  region         = var.region
  instance_type  = var.instance_type
  user_data      = local.user_data
  communicator   = "winrm"
  winrm_username = var.winrm_username
  winrm_password = var.winrm_password
  winrm_use_ssl  = true
  winrm_insecure = true
  winrm_timeout  = "45m"
  fast_launch {
    enable_fast_launch    = true
    target_resource_count = 5
  }

  launch_block_device_mappings {
    device_name           = "/dev/sda1"
    volume_size           = 60
    volume_type           = "gp3"
    delete_on_termination = true
  }

  tags = {
    Name       = "windows-2022-{{ .SourceAMIName }}"
    OS_Version = "Windows Server 2022"
    Base_AMI   = "{{ .SourceAMI }}"
    Release    = local.stamp
  }
}

build {
  source "amazon-ebs.windows" {
    name       = "core"
    source_ami = data.amazon-ami.core.id
    ami_name   = "windows-2022-${var.editions.core.suffix}-${local.stamp}"
  }

  source "amazon-ebs.windows" {
    name          = "full"
    source_ami    = data.amazon-ami.full.id
    ami_name      = "windows-2022-${var.editions.full.suffix}-${local.stamp}"
    instance_type = "m6i.2xlarge"
  }

  provisioner "powershell" {
    inline = [
      "Set-ExecutionPolicy Bypass -Scope Process -Force",
      "[System.Net.ServicePointManager]::SecurityProtocol = [System.Net.ServicePointManager]::SecurityProtocol -bor 3072",
      "iex ((New-Object System.Net.WebClient).DownloadString('https://community.chocolatey.org/install.ps1'))",
    ]
  }

  provisioner "powershell" {
    inline           = [local.choco_install]
    max_retries      = 2
    valid_exit_codes = [0, 3010]
  }

  provisioner "powershell" {
    elevated_user     = var.winrm_username
    elevated_password = var.winrm_password
    environment_vars  = ["FEATURES=${join(",", local.features)}"]
    inline = [
      "$env:FEATURES.Split(',') | ForEach-Object { Install-WindowsFeature -Name $_ -IncludeManagementTools }",
    ]
    override = {
      core = {
        inline = ["Install-WindowsFeature -Name Web-Server"]
      }
    }
  }

  provisioner "windows-restart" {
    restart_timeout       = "30m"
    restart_check_command = "powershell -command \"& {Write-Output 'restarted.'}\""
  }

  provisioner "windows-update" {
    search_criteria = "IsInstalled=0"
    filters         = var.windows_update_filters
    update_limit    = 25
    pause_before    = "30s"
  }

  provisioner "windows-restart" {
    restart_timeout = "1h"
  }

  provisioner "powershell" {
    only   = ["amazon-ebs.full"]
    script = "${path.root}/scripts/Install-Office-Tools.ps1"
  }

  provisioner "file" {
    content = templatefile("${path.root}/templates/agent-config.yml.pkrtpl", {
      features = local.features
      stamp    = local.stamp
      domain   = var.domain_join.enabled ? var.domain_join.domain : ""
    })
    destination = "C:\\ProgramData\\Amazon\\EC2Launch\\config\\agent-config.yml"
  }

  provisioner "powershell" {
    inline = [
      "& 'C:/Program Files/Amazon/EC2Launch/ec2launch' reset --block",
      "& 'C:/Program Files/Amazon/EC2Launch/ec2launch' sysprep --shutdown --block",
    ]
    pause_before = "1m"
  }

  error-cleanup-provisioner "shell-local" {
    inline = ["echo 'Windows build failed: ${source.name}'"]
  }

  post-processor "manifest" {
    output     = "windows-manifest.json"
    strip_path = true
  }
}
