# Production values for the aws-*.pkr.hcl golden images.
# Reviewed by #platform-security; changes need two approvals.

aws_region = "us-east-1"

ami_regions = [
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-southeast-2",
]

ami_users = [
  "111111111111", # prod-apps
  "222222222222", # prod-data
  "333333333333", # prod-edge
  "444444444444", # shared-services
]

ami_org_arns = [
  "arn:aws:organizations::999999999999:organization/o-abc123def4",
]

instance_type = {
  amd64 = "c6i.xlarge"
  arm64 = "c7g.xlarge"
}

architectures = ["amd64", "arm64"]

vpc_id = "vpc-0a1b2c3d4e5f60718"

subnet_filter = {
  "tag:Tier"        = "build"
  "tag:Environment" = "prod"
}

kms_key_id   = "arn:aws:kms:us-east-1:999999999999:alias/ami-encryption"
encrypt_boot = true

root_volume = {
  size       = 30
  type       = "gp3"
  iops       = 6000
  throughput = 250
}

extra_volumes = [
  {
    device_name = "/dev/xvdb"
    volume_size = 50
  },
  {
    device_name = "/dev/xvdc"
    volume_size = 100
    volume_type = "st1"
  },
  {
    device_name = "/dev/xvdd"
    volume_size = 20
    encrypted   = true
  },
]

tags = {
  Environment        = "prod"
  CostCenter         = "cc-4410"
  DataClassification = "internal"
  Compliance         = "cis-level-1"
  Backup             = "none"
  "app:owner"        = "platform-images"
  "app:repo"         = "github.com/example/images"
}

team = "platform-images"

ansible_extra_vars = {
  cis_level                  = "2"
  disable_ipv6               = "true"
  auditd_max_log_file        = "64"
  sshd_client_alive_interval = "300"
  ntp_servers                = "169.254.169.123"
  enable_fips                = "false"
}

skip_create_ami = false

ssh_bastion = {
  host             = "bastion.prod.example.com"
  username         = "packer"
  private_key_file = "~/.ssh/packer-bastion"
}

/*
  Notes:
  - arm64 builds use Graviton3 (c7g) to match the production fleet.
  - The kms key above is multi-region; replicas exist in every ami_region.
  - ssh_bastion is only needed when session_manager is unavailable.
*/
