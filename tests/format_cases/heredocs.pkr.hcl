source "null" "example" {
  communicator = "none"
}

build {
  sources = ["source.null.example"]

  provisioner "shell-local" {
    inline = [<<EOT
echo "building ${source.name}"
  indented   line,   kept as it is
EOT
    ]
  }

  provisioner "shell-local" {
    environment_vars = ["A=1"]
    inline_shebang   = "/bin/bash -e"
    command          = <<-EOF
      set -eu
      for f in ${join(" ", var.files)}; do
        echo "$f"
      done
      %{if var.verbose}echo verbose%{endif}
      %{for s in var.services~}
      systemctl enable ${s}
      %{endfor~}
    EOF
  }

  post-processor "shell-local" {
    inline = [<<-SCRIPT
      echo done
    SCRIPT
    , "echo after"]
  }
}

locals {
  user_data = <<EOF
#cloud-config
hostname: ${local.name_prefix}
EOF
  short     = "x"
}
