# CI values for the docker-*.pkr.hcl templates (GitHub Actions).
# GITHUB_SHA and REGISTRY_PASSWORD come from the environment.

platforms = ["linux/amd64", "linux/arm64"]

push = true

registries = {
  ghcr = {
    server     = "ghcr.io"
    repository = "ghcr.io/example/python-runtime"
    login      = true
    username   = "github-actions"
  }
  ecr = {
    server     = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    repository = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/python-runtime"
    login      = false
    ecr_login  = true
  }
  quay = {
    server     = "quay.io"
    repository = "quay.io/example/python-runtime"
    username   = "example+ci"
  }
}

extra_labels = {
  "org.opencontainers.image.vendor"        = "Example Corp"
  "org.opencontainers.image.authors"       = "platform@example.com"
  "org.opencontainers.image.url"           = "https://images.example.com"
  "org.opencontainers.image.documentation" = "https://images.example.com/docs/runtimes"
  "com.example.ci.pipeline"                = "images/docker"
  "com.example.ci.runner"                  = "ubuntu-24.04"
}

versions = [
  "3.10.14",
  "3.11.9",
  "3.12.4",
]

# Artifact pipeline (docker-artifact-pipeline.pkr.hcl)
image = "registry.example.com/base/debian"
tag   = "bookworm-20240701"

mirrors = [
  "registry.eu.example.com",
  "registry.us.example.com",
  "registry.ap.example.com",
]

airgap_sites = [
  "factory-1",
  "factory-2",
]

squash = true

// Debug template (debug-breakpoints.pkr.hcl)
debug         = false
keep_instance = false

steps = [
  {
    name    = "packages"
    script  = "scripts/packages.sh"
    retries = 2
  },
  {
    name   = "users"
    script = "scripts/users.sh"
  },
  {
    name    = "services"
    script  = "scripts/services.sh"
    timeout = "20m"
  },
  {
    name    = "verify"
    script  = "scripts/verify.sh"
    retries = 1
    timeout = "5m"
  },
]

/* Windows (windows-sysprep-common.pkr.hcl) */
windows_edition  = "datacenter"
windows_version  = "2022"
windows_language = "en-US"
windows_timezone = "UTC"
scripts_dir      = "scripts/windows"

updates = {
  enabled = true
  limit   = 100
  categories = [
    "Critical Updates",
    "Security Updates",
    "Update Rollups",
    "Definition Updates",
  ]
}

inline_scripts = {
  before_updates = [
    "Set-MpPreference -DisableRealtimeMonitoring $true",
  ]
  after_updates = [
    "Set-MpPreference -DisableRealtimeMonitoring $false",
    "Optimize-Volume -DriveLetter C -ReTrim -Verbose",
  ]
}
