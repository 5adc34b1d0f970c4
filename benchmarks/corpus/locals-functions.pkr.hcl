// Kitchen-sink locals used by the image factory. Every function the
// templates rely on is exercised here so that `packer validate` catches
// typos before a three hour build does.

variable "environment" {
  type    = string
  default = "staging"
}

variable "teams" {
  type = list(object({
    name        = string
    members     = list(string)
    cost_center = optional(string, "0000")
    admins      = optional(list(string), [])
  }))
  default = [
    { name = "platform", members = ["ana", "ben", "cho"], cost_center = "1001", admins = ["ana"] },
    { name = "data", members = ["dee", "eli"], cost_center = "1002" },
    { name = "web", members = ["fay", "gus", "hal", "ivy"] },
  ]
}

variable "subnets" {
  type = list(object({
    id     = string
    az     = string
    public = bool
    cidr   = string
  }))
  default = [
    { id = "subnet-0a1", az = "eu-west-1a", public = true, cidr = "10.0.0.0/24" },
    { id = "subnet-0a2", az = "eu-west-1a", public = false, cidr = "10.0.10.0/24" },
    { id = "subnet-0b1", az = "eu-west-1b", public = true, cidr = "10.0.1.0/24" },
    { id = "subnet-0b2", az = "eu-west-1b", public = false, cidr = "10.0.11.0/24" },
    { id = "subnet-0c2", az = "eu-west-1c", public = false, cidr = "10.0.12.0/24" },
  ]
}

variable "features" {
  type = map(bool)
  default = {
    docker  = true
    podman  = false
    fips    = false
    selinux = true
    auditd  = true
  }
}

variable "versions" {
  type = map(string)
  default = {
    docker     = "26.1.4"
    containerd = "1.7.18"
    runc       = "1.1.13"
    kubectl    = "1.30.2"
    helm       = "3.15.2"
  }
}

variable "banner" {
  type    = string
  default = <<EOF
*****************************************************************
*  Authorised use only. Activity on this system is monitored.  *
*****************************************************************
EOF
}

variable "ports" {
  type    = list(number)
  default = [22, 80, 443, 8080, 9100]
}

variable "raw_json" {
  type    = string
  default = "{\"log_level\": \"info\", \"replicas\": 3, \"zones\": [\"a\", \"b\"]}"
}

locals {
  # --- time -----------------------------------------------------------------
  now          = timestamp()
  date         = formatdate("YYYY-MM-DD", local.now)
  compact_date = formatdate("YYYYMMDD", local.now)
  rfc_date     = formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", local.now)
  expires      = timeadd(local.now, "2160h")
  stamp        = regex_replace(local.now, "[^0-9]", "")
  env_short    = substr(var.environment, 0, 4)

  # --- strings --------------------------------------------------------------
  name          = lower(format("%s-%s-%s", "img", var.environment, local.compact_date))
  title_env     = title(var.environment)
  upper_env     = upper(var.environment)
  padded        = format("%-12s|%8.2f|%03d", var.environment, 3.14159, 7)
  trimmed       = trimspace("   spaced out   ")
  no_suffix     = trimsuffix("image.qcow2", ".qcow2")
  no_prefix     = trimprefix("ami-0123456789", "ami-")
  chomped       = chomp("line\n")
  indented      = indent(4, "first\nsecond\nthird")
  replaced      = replace("a.b.c.d", ".", "_")
  regex_rep     = replace("Hello World 2024", "/[0-9]+/", "YEAR")
  joined        = join(",", ["a", "b", "c"])
  parts         = split(",", "x,y,z")
  reversed      = reverse(local.parts)
  version_parts = regex("^(\\d+)\\.(\\d+)\\.(\\d+)$", var.versions.docker)
  major         = local.version_parts[0]
  all_nums      = regexall("[0-9]+", "a1b22c333")
  starts        = startswith(var.environment, "stag")
  ends          = endswith(var.environment, "ing")
  has_docker    = strcontains(local.joined, "b")
  escaped       = "literal $${not_a_var} and %%{not_a_directive}"
  quoted        = "she said \"hi\"\ttab\\backslash"
  unicode       = "caf\u00e9 \U0001F680"

  # --- collections ----------------------------------------------------------
  team_names        = [for t in var.teams : t.name]
  team_sizes        = { for t in var.teams : t.name => length(t.members) }
  big_teams         = [for t in var.teams : t.name if length(t.members) > 2]
  all_members       = sort(flatten([for t in var.teams : t.members]))
  member_team       = merge([for t in var.teams : { for m in t.members : m => t.name }]...)
  admins            = toset(flatten(var.teams[*].admins))
  legacy_names      = var.teams.*.name
  first_team        = var.teams[0].name
  last_team         = element(var.teams, length(var.teams) - 1).name
  subnets_by_az     = { for s in var.subnets : s.az => s.id... }
  public_ids        = [for s in var.subnets : s.id if s.public]
  private_ids       = [for i, s in var.subnets : "${i}:${s.id}" if !s.public]
  enabled_features  = sort([for k, v in var.features : k if v])
  disabled_features = sort(keys({ for k, v in var.features : k => v if !v }))
  feature_flags     = join(" ", [for f in local.enabled_features : "--enable-${f}"])
  version_env       = [for k, v in var.versions : "${upper(k)}_VERSION=${v}"]
  merged_tags = merge(
    { Environment = local.title_env },
    { for t in var.teams : "Team-${t.name}" => t.cost_center },
    var.environment == "production" ? { Critical = "true" } : {},
  )
  lookup_default = lookup(local.team_sizes, "marketing", 0)
  combined       = concat(local.public_ids, local.private_ids, ["extra"])
  sliced         = slice(local.combined, 1, 3)
  zipped         = zipmap(local.team_names, [for t in var.teams : t.cost_center])
  chunks         = chunklist(local.all_members, 2)
  setu           = setunion(["a", "b"], ["b", "c"])
  seti           = setintersection(toset(local.team_names), toset(["web", "ops"]))
  ranged         = range(1, 10, 2)
  ports_csv      = join(",", [for p in var.ports : tostring(p)])
  max_port       = max(var.ports...)
  min_port       = min(var.ports...)
  port_sum       = sum(var.ports)
  contains_ssh   = contains(var.ports, 22)
  idx_https      = index(var.ports, 443)
  first_non_null = coalesce(null, "", "fallback")
  first_list     = coalescelist([], ["x"])
  one_item       = one(["only"])
  distinct_azs   = distinct([for s in var.subnets : s.az])
  transposed     = transpose({ platform = ["ana", "ben"], data = ["ben"] })
  matrix         = setproduct(["amd64", "arm64"], ["jammy", "noble"])
  matrix_names   = [for pair in local.matrix : join("-", pair)]
  nested_for = {
    for az in local.distinct_azs : az => {
      public  = [for s in var.subnets : s.cidr if s.az == az && s.public]
      private = [for s in var.subnets : s.cidr if s.az == az && !s.public]
    }
  }

  # --- numbers and logic ----------------------------------------------------
  cpus        = var.environment == "production" ? 8 : 2
  memory_mb   = local.cpus * 1024 + 512
  disk_gb     = ceil(local.memory_mb / 1024) * 10
  ratio       = floor(100 * 2 / 3) / 100
  absval      = abs(-42)
  powered     = pow(2, 10)
  logged      = log(1024, 2)
  parsed      = parseint("ff", 16)
  signed      = signum(-3)
  modulo      = 17 % 5
  precedence  = 1 + 2 * 3 - 4 / 2 > 3 && !false || true
  nested_cond = var.environment == "production" ? "prod" : var.environment == "staging" ? "stage" : "dev"
  safe_lookup = try(var.versions["podman"], "not-pinned")
  can_parse   = can(regex("^\\d+$", "1234"))

  # --- encoding and files ---------------------------------------------------
  json_cfg      = jsondecode(var.raw_json)
  log_level     = local.json_cfg.log_level
  yaml_out      = yamlencode({ environment = var.environment, teams = local.team_names })
  json_out      = jsonencode(local.merged_tags)
  b64           = base64encode("packer:${var.environment}")
  decoded       = base64decode(local.b64)
  url           = urlencode("a b&c=d")
  digest        = sha256("${local.name}-${local.stamp}")
  short_digest  = substr(md5(local.name), 0, 8)
  ident         = uuidv5("dns", "images.example.com")
  cidr_host     = cidrhost("10.0.0.0/16", 10)
  cidr_subnet   = cidrsubnet("10.0.0.0/16", 8, 2)
  cidr_mask     = cidrnetmask("10.0.0.0/16")
  root_abs      = abspath(path.root)
  dir           = dirname("${path.root}/scripts/setup.sh")
  base          = basename("${path.root}/scripts/setup.sh")
  script_body   = file("${path.root}/scripts/setup.sh")
  script_exists = fileexists("${path.root}/scripts/setup.sh")
  all_scripts   = fileset(path.root, "scripts/**/*.sh")
  rendered = templatefile("${path.root}/templates/motd.tpl", {
    banner      = var.banner
    environment = local.title_env
    teams       = var.teams
  })
  type_of       = convert("5", number)
  as_string     = tostring(5)
  as_number     = tonumber("42")
  as_bool       = tobool("true")
  as_list       = tolist(local.setu)
  as_map        = tomap({ a = "1", b = "2" })
  sensitive_val = sensitive("s3cr3t")
  env_home      = env("HOME")

  # --- templates ------------------------------------------------------------
  motd = <<-EOT
    ${var.banner}
    Environment : ${local.title_env}
    Built       : ${local.rfc_date}
    Features    : %{ for f in local.enabled_features }${f} %{ endfor }
    %{~ if var.features.fips }
    FIPS mode is ENABLED.
    %{~ else }
    FIPS mode is disabled.
    %{~ endif }
    Teams:
    %{ for t in var.teams ~}
      - ${t.name} (${length(t.members)} members%{ if length(t.admins) > 0 }, admins: ${join(", ", t.admins)}%{ endif })
    %{ endfor ~}
  EOT

  sudoers = <<EOF
# Managed by Packer -- do not edit.
%{ for t in var.teams ~}
%{ for a in t.admins ~}
${a} ALL=(ALL) NOPASSWD: ALL
%{ endfor ~}
%{ endfor ~}
EOF

  inline_directive = "%{ if local.cpus > 4 }large%{ else }small%{ endif }-${local.env_short}"
  for_directive    = "ports:%{ for i, p in var.ports }%{ if i > 0 },%{ endif }${p}%{ endfor }"
}

source "null" "locals" {
  communicator = "none"
}

build {
  sources = ["source.null.locals"]

  provisioner "shell-local" {
    inline = [
      "echo ${local.name}",
      "echo '${local.motd}'",
      "echo ${jsonencode(local.nested_for)}",
      "echo ${local.inline_directive} ${local.for_directive}",
    ]
  }
}
