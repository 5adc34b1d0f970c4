# Development values: single region, no sharing, cheap instances.
# Used by pull-request builds (skip_create_ami = true) and nightlies.

aws_region   = "eu-west-1"
ami_regions  = []
ami_users    = []
ami_org_arns = []

instance_type = {
  amd64 = "t3.medium"
  arm64 = "t4g.medium"
}

architectures = ["amd64"]

vpc_id = ""

subnet_filter = {
  "tag:Tier"        = "build"
  "tag:Environment" = "dev"
}

kms_key_id   = "alias/aws/ebs"
encrypt_boot = false

root_volume = {
  size = 16
}

extra_volumes = []

tags = {
  Environment = "dev"
  CostCenter  = "cc-4410"
  TTL         = "72h"
  AutoDelete  = "true"
  "app:owner" = "platform-images"
}

team = "platform-images"

ansible_extra_vars = {
  cis_level                  = "1"
  disable_ipv6               = "false"
  auditd_max_log_file        = "8"
  sshd_client_alive_interval = "900"
  ntp_servers                = "169.254.169.123"
  enable_fips                = "false"
  debug                      = "true"
  skip_slow_checks           = "true"
}

skip_create_ami = true

ssh_bastion = null

// ---------------------------------------------------------------------------
// EKS node image overrides (aws-eks-node.pkr.hcl) for dev clusters
// ---------------------------------------------------------------------------

kubernetes_version     = "1.30"
arch                   = "x86_64"
cache_container_images = false
containerd_version     = "1.7.*"
runc_version           = "1.1.*"
cni_plugin_version     = "v1.5.1"

cached_images = [
  "amazon-k8s-cni:v1.18.2",
  "kube-proxy:v1.30.0-minimal-eksbuild.3",
]

additional_yum_repos = [
  {
    name    = "internal-tools"
    baseurl = "https://yum.example.com/tools/al2023/$basearch"
    gpgkey  = "https://yum.example.com/RPM-GPG-KEY-example"
  },
  {
    name    = "internal-staging"
    baseurl = "https://yum.example.com/staging/al2023/$basearch"
  },
]

volume = {
  size      = 40
  type      = "gp3"
  encrypted = false
}

security_group_ids          = ["sg-0123456789abcdef0"]
subnet_id                   = "subnet-0fedcba9876543210"
associate_public_ip_address = true
enable_fips                 = false
ami_name_prefix             = "dev-eks-node"

kubernetes_versions = {
  "1.29" = {
    full_version = "1.29.6"
    build_date   = "2024-07-12"
  }
  "1.30" = {
    full_version = "1.30.2"
    build_date   = "2024-07-12"
    pause_image  = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.9"
  }
  "1.31" = {
    full_version = "1.31.0"
    build_date   = "2024-08-12"
    pause_image  = "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.10"
  }
}
