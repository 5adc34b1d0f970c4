"""Template shapes seen in public Packer repositories, checked against the values Packer computes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PKR_VAR_")}
    env.update(extra or {})
    return env


def run(bake_exe: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [bake_exe, *args], cwd=cwd, env=_env(env), capture_output=True, text=True, timeout=120, check=False
    )


def inspect(bake_exe: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    r = run(bake_exe, "inspect", "--format", "json", *args, cwd=cwd, env=env)
    assert r.returncode == 0, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def only_build(doc: dict[str, Any]) -> dict[str, Any]:
    assert len(doc["builds"]) == 1
    build: dict[str, Any] = doc["builds"][0]
    return build


def step_names(steps: list[dict[str, Any]]) -> list[str]:
    return [s.get("name", s["type"]) for s in steps]


# --- renamed_sources: build-level `source` blocks that reuse one source under new names


def test_renamed_sources_full_names(bake_exe: str) -> None:
    build = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "renamed_sources"))
    assert build["name"] == "kitchen"
    assert build["description"] == "one source reused under two names, plus a plain one"
    # `sources = [...]` come first, then the `source` blocks in order.
    assert build["sources"] == ["kitchen.null.oven", "kitchen.null.tea", "kitchen.null.coffee"]
    assert [build["per_source"][s]["name"] for s in build["sources"]] == ["oven", "tea", "coffee"]


def test_renamed_sources_only_except_use_new_names(bake_exe: str) -> None:
    per = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "renamed_sources"))["per_source"]
    assert step_names(per["kitchen.null.oven"]["provisioners"]) == ["announce"]
    assert step_names(per["kitchen.null.tea"]["provisioners"]) == ["announce", "steep"]
    assert step_names(per["kitchen.null.coffee"]["provisioners"]) == ["announce", "grind"]
    assert per["kitchen.null.tea"]["provisioners"][0]["inline"] == ["echo kitchen/null/tea"]
    assert per["kitchen.null.coffee"]["provisioners"][0]["inline"] == ["echo kitchen/null/coffee"]


def test_renamed_sources_block_attributes_override_source(bake_exe: str) -> None:
    per = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "renamed_sources"))["per_source"]
    assert per["kitchen.null.coffee"]["config"] == {"communicator": "ssh"}
    assert per["kitchen.null.tea"]["config"] == {"communicator": "none"}
    assert per["kitchen.null.tea"]["type"] == "null"


def test_renamed_sources_post_processor_chains(bake_exe: str) -> None:
    per = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "renamed_sources"))["per_source"]
    assert per["kitchen.null.oven"]["post_processors"] == [
        [{"type": "manifest", "output": "out/oven.json"}],
        [{"type": "shell-local", "inline": ["echo baked"]}, {"type": "manifest", "output": "chain-oven.json"}],
    ]
    # A post-processor skipped by `only` leaves the rest of its chain in place.
    assert per["kitchen.null.tea"]["post_processors"] == [
        [{"type": "manifest", "output": "out/tea.json"}],
        [{"type": "manifest", "output": "chain-tea.json"}],
    ]


# --- multi_os_vars: one template folder, one var file per OS, nested conditional locals on path.root


def _multi_os(bake_exe: str, var_file: str) -> dict[str, Any]:
    here = FIXTURES / "multi_os_vars"
    return inspect(bake_exe, f"-var-file={here / 'vars' / var_file}", "template", cwd=here)


def test_multi_os_debian(bake_exe: str) -> None:
    doc = _multi_os(bake_exe, "debian-12-x86_64.pkrvars.hcl")
    assert doc["locals"]["box_name"] == "debian-12.5-amd64"
    assert doc["locals"]["scripts"] == ["template/scripts/debian/apt.sh", "template/scripts/common/cleanup.sh"]
    assert doc["locals"]["target_names"] == ["qemu.box", "virtualbox-iso.box"]
    build = only_build(doc)
    assert build["sources"] == ["qemu.box", "virtualbox-iso.box"]
    qemu = build["per_source"]["qemu.box"]
    assert qemu["config"] == {
        "communicator": "ssh",
        "http_directory": "template/http",
        "memory": 2048,
        "output_directory": "template/../out/debian-12.5-amd64/qemu",
        "vm_name": "debian-12.5-amd64",
    }
    assert build["per_source"]["virtualbox-iso.box"]["config"]["guest_os_type"] == "Linux_64"
    for src in build["sources"]:
        assert [p["type"] for p in build["per_source"][src]["provisioners"]] == ["shell"]


def test_multi_os_windows(bake_exe: str) -> None:
    doc = _multi_os(bake_exe, "windows-2022-x86_64.pkrvars.hcl")
    build = only_build(doc)
    assert build["sources"] == ["virtualbox-iso.box"]
    vbox = build["per_source"]["virtualbox-iso.box"]
    assert vbox["config"]["guest_os_type"] == "Windows2019_64"
    assert vbox["config"]["memory"] == 4096
    assert vbox["provisioners"] == [
        {"type": "powershell", "scripts": ["template/scripts/windows/base.ps1", "template/scripts/windows/cleanup.ps1"]}
    ]


def test_multi_os_arch_and_memory_from_var_file(bake_exe: str) -> None:
    doc = _multi_os(bake_exe, "rocky-9-aarch64.pkrvars.hcl")
    assert doc["variables"]["memory"]["value"] == 3072
    assert doc["locals"]["box_name"] == "rocky-9-arm64"
    assert doc["locals"]["scripts"] == ["template/scripts/common/cleanup.sh"]
    per = only_build(doc)["per_source"]
    assert per["virtualbox-iso.box"]["config"]["guest_os_type"] == "Linux_arm64"
    assert per["qemu.box"]["config"]["memory"] == 3072


def test_multi_os_var_file_path_is_relative_to_cwd(bake_exe: str) -> None:
    # Packer reads -var-file paths as given, from the working directory (not from the template folder).
    here = FIXTURES / "multi_os_vars"
    doc = inspect(bake_exe, "-var-file=vars/debian-12-x86_64.pkrvars.hcl", "template", cwd=here)
    assert doc["variables"]["os_name"]["value"] == "debian"


def test_multi_os_validation_rule(bake_exe: str) -> None:
    here = FIXTURES / "multi_os_vars"
    var_file = here / "vars" / "debian-12-x86_64.pkrvars.hcl"
    r = run(
        bake_exe, "inspect", "--format", "json", f"-var-file={var_file}", "-var", "os_arch=sparc", "template", cwd=here
    )
    assert r.returncode != 0
    assert "The os_arch value must be x86_64 or aarch64." in r.stderr


def test_multi_os_unset_required_variables_are_unknown(bake_exe: str) -> None:
    doc = inspect(bake_exe, "template", cwd=FIXTURES / "multi_os_vars")
    assert doc["variables"]["os_name"]["value"] == "<unknown>"
    assert doc["locals"]["box_name"] == "<unknown>"
    assert doc["locals"]["http_dir"] == "template/http"
    r = run(bake_exe, "validate", "template", cwd=FIXTURES / "multi_os_vars")
    assert r.returncode != 0
    assert "os_name" in r.stderr


# --- var_precedence: defaults < PKR_VAR_ < *.auto.pkrvars.hcl (by name) < -var-file (in order) < -var

PRECEDENCE_ENV = {
    "PKR_VAR_zone": "zone-from-env",
    "PKR_VAR_channel": "channel-from-env",
    "PKR_VAR_mirrors": '["m1", "m2"]',
    "PKR_VAR_disk_gb": "20",
}


def test_precedence_all_layers(bake_exe: str) -> None:
    here = FIXTURES / "var_precedence"
    doc = inspect(
        bake_exe,
        f"-var-file={here / 'vars' / 'release.pkrvars.hcl'}",
        f"-var-file={here / 'vars' / 'hotfix.pkrvars.hcl'}",
        "-var",
        "owner=owner-from-var",
        "-var",
        'labels={team="cli"}',
        str(here / "template"),
        cwd=here,
        env=PRECEDENCE_ENV,
    )
    values = {name: v["value"] for name, v in doc["variables"].items()}
    assert values == {
        "region": "region-from-default",
        "zone": "zone-from-env",
        "flavor": "flavor-from-auto-a",
        "channel": "channel-from-auto-b",
        "owner": "owner-from-var",
        "release": "release-from-second-var-file",
        "disk_gb": 40,
        "labels": {"team": "cli"},
        "mirrors": ["m1", "m2"],
    }
    assert doc["locals"] == {
        "summary": "region-from-default|zone-from-env|flavor-from-auto-a|channel-from-auto-b|owner-from-var"
        "|release-from-second-var-file",
        "disk_mb": 40960,
    }
    assert doc["variables"]["zone"]["source"] == "env"
    assert doc["variables"]["owner"]["source"] == "arg"


def test_precedence_auto_var_files_with_relative_folder(bake_exe: str) -> None:
    # The template folder given relative to the working directory, as `packer build template` does.
    doc = inspect(bake_exe, "template", cwd=FIXTURES / "var_precedence")
    assert doc["variables"]["flavor"]["value"] == "flavor-from-auto-a"
    assert doc["variables"]["channel"]["value"] == "channel-from-auto-b"
    assert doc["variables"]["labels"]["value"] == {"team": "imaging", "tier": "gold"}


def test_precedence_var_and_var_file_in_command_line_order(bake_exe: str) -> None:
    # bake's contract (issue 3): -var-file and -var apply in command-line order, so a later
    # -var-file wins over an earlier -var. (Packer itself applies every -var after every var file.)
    here = FIXTURES / "var_precedence"
    doc = inspect(
        bake_exe,
        "-var",
        "release=release-from-var",
        f"-var-file={here / 'vars' / 'hotfix.pkrvars.hcl'}",
        str(here / "template"),
        cwd=here,
    )
    assert doc["variables"]["release"]["value"] != "release-from-var"
    later_var = inspect(
        bake_exe,
        f"-var-file={here / 'vars' / 'hotfix.pkrvars.hcl'}",
        "-var",
        "release=release-from-var",
        str(here / "template"),
        cwd=here,
    )
    assert later_var["variables"]["release"]["value"] == "release-from-var"


# --- build_matrix: several named builds over one source, a catalog map indexed by a variable


def test_build_matrix_names_and_catalog(bake_exe: str) -> None:
    doc = inspect(
        bake_exe, "-var", "image_os=noble", "-var", 'tags={ team = "ci", env = "dev" }', "templates",
        cwd=FIXTURES / "build_matrix",
    )  # fmt: skip
    assert [b["name"] for b in doc["builds"]] == ["jammy", "noble"]
    assert [b["sources"] for b in doc["builds"]] == [["jammy.azure-arm.vm"], ["noble.azure-arm.vm"]]
    assert doc["locals"]["marketplace"] == "canonical:noble-server:24_04-lts"
    assert doc["locals"]["disk_size_gb"] == 96
    jammy = doc["builds"][0]["per_source"]["jammy.azure-arm.vm"]
    assert jammy["config"] == {
        "azure_tag": [{"name": "env", "value": "dev"}, {"name": "team", "value": "ci"}],
        "image_offer": "noble-server",
        "image_publisher": "canonical",
        "image_sku": "24_04-lts",
        "os_disk_size_gb": 96,
        "os_type": "Linux",
    }
    assert jammy["provisioners"] == [
        {"type": "file", "destination": "/opt/staging", "source": "templates/../scripts/helpers"},
        {
            "type": "shell",
            "environment_vars": ["BUILD=jammy", "STAGING=/opt/staging"],
            "scripts": ["templates/../scripts/build/one.sh", "templates/../scripts/build/two.sh"],
        },
    ]
    noble = doc["builds"][1]["per_source"]["noble.azure-arm.vm"]
    assert noble["provisioners"] == [
        {"type": "shell", "environment_vars": ["BUILD=noble"], "inline": ["mkdir -p /opt/staging/noble"]}
    ]


def test_build_matrix_defaults_and_coalesce(bake_exe: str) -> None:
    doc = inspect(bake_exe, "-var", "disk_size_gb=128", "templates", cwd=FIXTURES / "build_matrix")
    assert doc["locals"]["marketplace"] == "canonical:jammy-server:22_04-lts-gen2"
    assert doc["locals"]["disk_size_gb"] == 128
    config = doc["builds"][1]["per_source"]["noble.azure-arm.vm"]["config"]
    assert config["image_sku"] == "22_04-lts-gen2"
    assert "azure_tag" not in config


# --- optional_settings: dynamic blocks over list(map(string)) and try() on an untyped object variable


def test_optional_settings_defaults(bake_exe: str) -> None:
    build = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "optional_settings"))
    assert build["sources"] == ["node.amazon-ebs.node"]
    node = build["per_source"]["node.amazon-ebs.node"]
    assert node["config"]["launch_block_device_mappings"] == [
        {"delete_on_termination": True, "device_name": "/dev/sda1", "volume_size": "8", "volume_type": "gp3"}
    ]
    assert node["config"]["tag"] == [{"key": "volume-0", "value": "/dev/sda1"}]
    assert node["provisioners"] == [
        {
            "type": "shell",
            "environment_vars": [],
            "expect_disconnect": False,
            "inline": None,
            "scripts": ["scripts/default.sh"],
        },
        {"type": "shell", "inline": ["echo nothing to do"], "scripts": None},
    ]


def test_optional_settings_var_file(bake_exe: str) -> None:
    here = FIXTURES / "optional_settings"
    node = only_build(inspect(bake_exe, f"-var-file={here / 'gpu.pkrvars.hcl'}", ".", cwd=here))["per_source"][
        "node.amazon-ebs.node"
    ]
    assert node["config"]["launch_block_device_mappings"] == [
        {"delete_on_termination": True, "device_name": "/dev/xvda", "volume_size": "20", "volume_type": "gp3"},
        {"delete_on_termination": False, "device_name": "/dev/xvdb", "volume_size": "100", "volume_type": "io2"},
    ]
    assert node["config"]["tag"] == [
        {"key": "volume-0", "value": "/dev/xvda"},
        {"key": "volume-1", "value": "/dev/xvdb"},
    ]
    assert node["provisioners"][0]["scripts"] == ["scripts/update.sh", "scripts/gpu.sh"]
    assert node["provisioners"][0]["expect_disconnect"] is True
    assert node["provisioners"][1] == {"type": "shell", "inline": ["nvidia-smi"], "scripts": None}


# --- templated_install: templatefile() on path.root, conditional null attributes, path.cwd


ANSWERS = "hostname img-host\ninstall curl\ninstall vim\ndone\n"


@pytest.mark.parametrize("media", ["http", "disk"])
def test_templated_install(bake_exe: str, media: str) -> None:
    here = FIXTURES / "templated_install"
    doc = inspect(bake_exe, "-var", f"media_source={media}", ".", cwd=here)
    assert doc["locals"]["answer_file"] == ANSWERS
    assert doc["locals"]["manifest_dir"] == f"{here}/manifests"
    build = only_build(doc)
    appliance = build["per_source"]["vsphere-iso.appliance"]
    content = {"/answers.cfg": ANSWERS, "/meta-data": ""}
    config = appliance["config"]
    if media == "http":
        assert (config["http_content"], config["cd_content"], config["cd_label"]) == (content, None, None)
        arg = "url=http://{{ .HTTPIP }}:{{ .HTTPPort }}/answers.cfg"
    else:
        assert (config["http_content"], config["cd_content"], config["cd_label"]) == (None, content, "cidata")
        arg = "file=/media/answers.cfg"
    assert config["boot_command"] == ["<esc><wait>", f"linux {arg}", "<enter>"]
    assert config["ssh_username"] == "<sensitive>"
    assert doc["variables"]["build_user"]["value"] == "<sensitive>"
    assert appliance["post_processors"] == [
        [
            {
                "type": "manifest",
                "custom_data": {"media": media, "packages": "curl,vim"},
                "output": f"{here}/manifests/img-host.json",
                "strip_path": True,
            }
        ]
    ]


def test_templated_install_validation(bake_exe: str) -> None:
    r = run(
        bake_exe, "inspect", "--format", "json", "-var", "media_source=usb", ".", cwd=FIXTURES / "templated_install"
    )
    assert r.returncode != 0
    assert "The media_source must be http or disk." in r.stderr


@pytest.mark.parametrize(
    "case", ["renamed_sources", "build_matrix/templates", "optional_settings", "templated_install"]
)
def test_validate_accepts(bake_exe: str, case: str) -> None:
    r = run(bake_exe, "validate", case, cwd=FIXTURES)
    assert r.returncode == 0, r.stderr


# --- shapes where Packer's meta-arguments have edge cases


def test_only_empty_list_and_except_null(bake_exe: str) -> None:
    # Packer's OnlyExcept.Skip: an empty `only` filters nothing; a null `except` is no `except` at all.
    per = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "only_except_edges"))["per_source"]
    for src in ("null.left", "null.right"):
        assert step_names(per[src]["provisioners"]) == ["empty-only", "null-except"]
    per = only_build(inspect(bake_exe, "-var", "skip_left=true", ".", cwd=FIXTURES / "only_except_edges"))["per_source"]
    assert step_names(per["null.left"]["provisioners"]) == ["empty-only"]
    assert step_names(per["null.right"]["provisioners"]) == ["empty-only", "null-except"]


def test_override_keyed_by_source_name(bake_exe: str) -> None:
    # Packer looks a provisioner's `override` up by the source's name alone (pb.Override[source.name()]).
    per = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "override_by_name"))["per_source"]
    assert per["null.small"]["provisioners"][0]["inline"] == ["echo generic"]
    assert per["null.large"]["provisioners"][0]["inline"] == ["echo tuned for large"]


def test_source_reference_forms(bake_exe: str) -> None:
    # sourceRefFromString: "a.b" is type.name; with three parts the first one is dropped, whatever it is.
    build = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "source_ref_forms"))
    assert build["sources"] == ["null.first", "null.second", "null.third"]


def test_dynamic_source_and_provisioner_blocks_in_build(bake_exe: str) -> None:
    # Packer expands dynamic blocks inside build blocks (dynblock.Expand on the whole file).
    build = only_build(inspect(bake_exe, ".", cwd=FIXTURES / "dynamic_in_build"))
    assert build["sources"] == ["null.mint", "null.vanilla"]
    per = build["per_source"]
    assert [p["inline"] for p in per["null.mint"]["provisioners"]] == [["echo scoop fresh"], ["echo serve fresh"]]
    assert [p["inline"] for p in per["null.vanilla"]["provisioners"]] == [["echo scoop plain"], ["echo serve plain"]]


def test_undeclared_var_file_entries_warn_in_inspect_and_fail_validate(bake_exe: str) -> None:
    # bake's contract (issue 3): an undeclared name in a var file is a warning, and an error under
    # validate. (`packer validate` only warns; `packer build` ignores it.)
    here = FIXTURES / "var_precedence"
    args = (f"-var-file={here / 'vars' / 'shared.pkrvars.hcl'}", str(here / "template"))
    r = run(bake_exe, "validate", *args, cwd=here)
    assert "unused_setting" in r.stderr and "error: Undefined variable" in r.stderr
    assert r.returncode == 1, r.stderr
    r = run(bake_exe, "inspect", *args, cwd=here)
    assert "unused_setting" in r.stderr and "warning: Undefined variable" in r.stderr
    assert r.returncode == 0, r.stderr
