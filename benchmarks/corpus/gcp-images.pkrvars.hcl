// Google Cloud image factory settings (gcp-*.pkr.hcl).
// project_id owns the images; builds run in a separate sandbox project.

project_id       = "example-images-prod"
build_project_id = "example-images-build"

zones = [
  "europe-west4-a",
  "europe-west1-b",
  "us-central1-b",
  "us-east4-c",
  "asia-northeast1-c",
]

machine_type = "e2-standard-4"

network = {
  project          = "example-shared-vpc"
  network          = "build-vpc"
  subnetwork       = "projects/example-shared-vpc/regions/europe-west4/subnetworks/packer"
  use_internal_ip  = true
  omit_external_ip = true
  tags             = ["packer-build", "allow-iap-ssh"]
}

image_consumers = {
  "roles/compute.imageUser" = [
    "group:gce-image-users@example.com",
    "serviceAccount:deployer@prod-apps.iam.gserviceaccount.com",
    "serviceAccount:deployer@prod-data.iam.gserviceaccount.com",
    "serviceAccount:mig-manager@prod-edge.iam.gserviceaccount.com",
  ]
  "roles/compute.viewer" = [
    "group:security-auditors@example.com",
  ]
}

image_storage_locations = ["eu", "us"]

enable_secure_boot = true

labels = {
  environment           = "prod"
  team                  = "platform-images"
  cost-center           = "cc-4410"
  "Data.Classification" = "Internal Only"
}

startup_packages = [
  "auditd",
  "apparmor-utils",
  "unattended-upgrades",
  "google-osconfig-agent",
  "google-cloud-ops-agent",
]

kms_key = "projects/example-kms/locations/global/keyRings/images/cryptoKeys/image-encryption"

/*
 * GPU images (gcp-ubuntu2404-gpu.pkr.hcl) override these on the command
 * line:
 *
 *   -var machine_type=n1-standard-8
 *   -var 'zones=["us-central1-b"]'
 */

# Child images (hcp-child-images.pkr.hcl)
hcp_bucket_name = "ubuntu-jammy"
hcp_channel     = "production"
region          = "us-east-1"

apps = {
  nginx = {
    instance_type = "t3.small"
    packages      = ["nginx", "certbot", "python3-certbot-nginx"]
    ports         = [80, 443]
    config = {
      worker_processes     = "auto"
      keepalive_timeout    = "65"
      client_max_body_size = "16m"
    }
  }
  consul = {
    instance_type = "t3.medium"
    packages      = ["consul", "jq"]
    ports         = [8300, 8301, 8302, 8500, 8501, 8600]
    service_user  = "consul"
  }
  vault = {
    instance_type = "t3.medium"
    packages      = ["vault", "jq"]
    ports         = [8200, 8201]
    service_user  = "vault"
    config = {
      ui            = "true"
      disable_mlock = "false"
      api_addr      = "https://vault.example.com:8200"
    }
  }
}
