# EKS worker node AMI (Amazon Linux 2023), one image per Kubernetes minor
# version and architecture. Modeled on the layout most teams use for their
# custom EKS AMIs: binaries are fetched from S3, containerd is configured,
# images are cached, and the node bootstrap scripts are installed.

packer {
  required_plugins {
    amazon = {
      version = ">= 1.3.2"
      source  = "github.com/hashicorp/amazon"
    }
  }
}

variable "kubernetes_versions" {
  type = map(object({
    full_version = string
    build_date   = string
    pause_image  = optional(string, "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.5")
  }))
  default = {
    "1.28" = { full_version = "1.28.11", build_date = "2024-07-12" }
    "1.29" = { full_version = "1.29.6", build_date = "2024-07-12" }
    "1.30" = { full_version = "1.30.2", build_date = "2024-07-12", pause_image = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.9" }
  }
}

variable "kubernetes_version" {
  type    = string
  default = "1.30"

  validation {
    condition     = can(regex("^1\\.(2[5-9]|3[0-9])$", var.kubernetes_version))
    error_message = "Supported Kubernetes versions are 1.25 through 1.39."
  }
}

variable "arch" {
  type    = string
  default = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.arch)
    error_message = "The arch must be x86_64 or arm64."
  }
}

variable "aws_region" {
  type    = string
  default = "us-west-2"
}

variable "binary_bucket" {
  type = object({
    name        = string
    region      = string
    path_prefix = optional(string, "")
  })
  default = {
    name   = "amazon-eks"
    region = "us-west-2"
  }
}

variable "containerd_version" {
  type    = string
  default = "1.7.*"
}

variable "runc_version" {
  type    = string
  default = "1.1.*"
}

variable "cni_plugin_version" {
  type    = string
  default = "v1.5.1"
}

variable "cache_container_images" {
  type    = bool
  default = true
}

variable "cached_images" {
  type = list(string)
  default = [
    "amazon-k8s-cni:v1.18.2",
    "amazon-k8s-cni-init:v1.18.2",
    "kube-proxy:v1.30.0-minimal-eksbuild.3",
    "aws-network-policy-agent:v1.1.2",
  ]
}

variable "additional_yum_repos" {
  type = list(object({
    name    = string
    baseurl = string
    gpgkey  = optional(string)
  }))
  default = []
}

variable "volume" {
  type = object({
    size      = number
    type      = string
    encrypted = bool
  })
  default = {
    size      = 20
    type      = "gp3"
    encrypted = true
  }
}

variable "security_group_ids" {
  type    = list(string)
  default = []
}

variable "subnet_id" {
  type    = string
  default = ""
}

variable "associate_public_ip_address" {
  type    = bool
  default = null
}

variable "enable_fips" {
  type    = bool
  default = false
}

variable "ami_name_prefix" {
  type    = string
  default = "custom-eks-node"
}

data "amazon-ami" "al2023" {
  region = var.aws_region
  filters = {
    name                = "al2023-ami-minimal-2023.*-${var.arch}"
    virtualization-type = "hvm"
    root-device-type    = "ebs"
  }
  owners      = ["amazon"]
  most_recent = true
}

locals {
  k8s           = var.kubernetes_versions[var.kubernetes_version]
  binary_prefix = "${var.binary_bucket.path_prefix}${local.k8s.full_version}/${local.k8s.build_date}/bin/linux/${var.arch == "x86_64" ? "amd64" : "arm64"}"
  instance_type = var.arch == "x86_64" ? "m6i.large" : "m7g.large"
  ami_name      = "${var.ami_name_prefix}-${var.kubernetes_version}-${var.arch}-${formatdate("YYYYMMDDhhmmss", timestamp())}"
  ecr_account   = regex("^(\\d+)\\.dkr", local.k8s.pause_image)[0]
  binaries      = ["kubelet", "aws-iam-authenticator", "ecr-credential-provider"]
  fetch_commands = [
    for b in local.binaries :
    "aws s3 cp --region ${var.binary_bucket.region} s3://${var.binary_bucket.name}/${local.binary_prefix}/${b} /tmp/bin/${b}"
  ]
  yum_repo_files = {
    for r in var.additional_yum_repos : "/etc/yum.repos.d/${r.name}.repo" => <<-REPO
      [${r.name}]
      name=${r.name}
      baseurl=${r.baseurl}
      enabled=1
      %{~if r.gpgkey != null}
      gpgcheck=1
      gpgkey=${r.gpgkey}
      %{~else}
      gpgcheck=0
      %{~endif}
    REPO
  }
  tags = {
    Name                     = local.ami_name
    "eks:kubernetes-version" = var.kubernetes_version
    "eks:kubelet-version"    = local.k8s.full_version
    "eks:arch"               = var.arch
    "eks:containerd"         = var.containerd_version
    "eks:fips"               = tostring(var.enable_fips)
    source_ami_id            = data.amazon-ami.al2023.id
  }
}

source "amazon-ebs" "eks" {
  region                      = var.aws_region
  source_ami                  = data.amazon-ami.al2023.id
  instance_type               = local.instance_type
  ami_name                    = local.ami_name
  ami_description             = "EKS Kubernetes Worker AMI with AmazonLinux2023 image, (k8s: ${local.k8s.full_version}, containerd: ${var.containerd_version})"
  ami_virtualization_type     = "hvm"
  ena_support                 = true
  sriov_support               = true
  imds_support                = "v2.0"
  subnet_id                   = var.subnet_id == "" ? null : var.subnet_id
  security_group_ids          = length(var.security_group_ids) > 0 ? var.security_group_ids : null
  associate_public_ip_address = var.associate_public_ip_address
  temporary_iam_instance_profile_policy_document {
    Statement {
      Action = ["s3:GetObject", "s3:ListBucket"]
      Effect = "Allow"
      Resource = [
        "arn:aws:s3:::${var.binary_bucket.name}",
        "arn:aws:s3:::${var.binary_bucket.name}/*",
      ]
    }
    Statement {
      Action   = ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Effect   = "Allow"
      Resource = ["*"]
    }
    Version = "2012-10-17"
  }
  ssh_username = "ec2-user"
  ssh_pty      = true
  run_tags = {
    creator = "packer"
  }
  tags = local.tags

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_type           = var.volume.type
    volume_size           = var.volume.size
    encrypted             = var.volume.encrypted
    delete_on_termination = true
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}

build {
  name    = "eks-${replace(var.kubernetes_version, ".", "-")}-${var.arch}"
  sources = ["source.amazon-ebs.eks"]

  provisioner "shell" {
    inline = ["mkdir -p /tmp/worker /tmp/bin"]
  }

  provisioner "file" {
    source      = "${path.root}/templates/al2023/runtime/"
    destination = "/tmp/worker/"
  }

  dynamic "provisioner" {
    for_each = local.yum_repo_files
    labels   = ["file"]
    content {
      content     = provisioner.value
      destination = "/tmp/worker/${basename(provisioner.key)}"
    }
  }

  provisioner "shell" {
    remote_folder = "/tmp"
    environment_vars = [
      "AWS_REGION=${var.aws_region}",
      "KUBERNETES_VERSION=${local.k8s.full_version}",
      "KUBERNETES_BUILD_DATE=${local.k8s.build_date}",
      "BINARY_BUCKET_NAME=${var.binary_bucket.name}",
      "BINARY_BUCKET_REGION=${var.binary_bucket.region}",
      "CONTAINERD_VERSION=${var.containerd_version}",
      "RUNC_VERSION=${var.runc_version}",
      "CNI_PLUGIN_VERSION=${var.cni_plugin_version}",
      "PAUSE_CONTAINER_IMAGE=${local.k8s.pause_image}",
      "ENABLE_FIPS=${var.enable_fips}",
    ]
    inline = concat(local.fetch_commands, [
      "sudo install -m 0755 /tmp/bin/* /usr/bin/",
      "sudo -E bash /tmp/worker/install-worker.sh",
    ])
    max_retries = 2
  }

  provisioner "shell" {
    only = ["amazon-ebs.eks"]
    environment_vars = [
      "ECR_ACCOUNT=${local.ecr_account}",
      "CACHED_IMAGES=${join(" ", var.cached_images)}",
    ]
    script       = "${path.root}/scripts/cache-pause-container.sh"
    pause_before = "10s"
    skip_clean   = !var.cache_container_images
  }

  provisioner "shell" {
    expect_disconnect = true
    inline            = ["sudo reboot"]
    pause_after       = "30s"
  }

  provisioner "shell" {
    inline = [
      "sudo bash /tmp/worker/validate.sh",
      "sudo rm -rf /tmp/worker /tmp/bin",
      "sudo dnf clean all",
      "sudo rm -rf /var/cache/dnf",
    ]
  }

  post-processor "manifest" {
    output     = "${var.ami_name_prefix}-manifest.json"
    strip_path = true
    custom_data = {
      kubernetes    = local.k8s.full_version
      arch          = var.arch
      source_ami_id = data.amazon-ami.al2023.id
    }
  }
}
