"""Tests of `bake fmt`'s layout engine, a port of hclwrite.Format (what `packer fmt` runs)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bake.compiler.hcl.format import format_source, grapheme_count
from bake.compiler.hcl.scanner import scan
from bake.compiler.source import SourceText

# hashicorp/hcl hclwrite/format_test.go, TestFormat: (input, expected output), in its order.
GO_CASES: list[tuple[str, str]] = [
    ("", ""),
    ("a=1", "a = 1"),
    ("a=b.c", "a = b.c"),
    ("a=b[c]", "a = b[c]"),
    ("a=b()[c]", "a = b()[c]"),
    ('a=["hello"][0]', 'a = ["hello"][0]'),
    ("( a+2 )", "(a + 2)"),
    ("( a*2 )", "(a * 2)"),
    ("( a+-2 )", "(a + -2)"),
    ("( a*-2 )", "(a * -2)"),
    ("(-2+1)", "(-2 + 1)"),
    ("foo(1, -2,a*b, b,c)", "foo(1, -2, a * b, b, c)"),
    ("foo(a,b...)", "foo(a, b...)"),
    ("! true", "!true"),
    ('a="hello ${ name }"', 'a = "hello ${name}"'),
    ('a="hello ${~ name ~}"', 'a = "hello ${~name~}"'),
    ('a="${b}${c}${ d } ${e}"', 'a = "${b}${c}${d} ${e}"'),
    ('"%{if true}${var.foo}%{endif}"', '"%{if true}${var.foo}%{endif}"'),
    ("b{}", "b {}"),
    (
        (
            "\n"
            '"${\n'
            "hello\n"
            '}"\n'
        ),
        (
            "\n"
            '"${\n'
            "  hello\n"
            '}"\n'
        ),
    ),
    (
        (
            "\n"
            "foo(\n"
            "1,\n"
            "- 2,\n"
            "a*b,\n"
            "b,\n"
            "c,\n"
            ")\n"
        ),
        (
            "\n"
            "foo(\n"
            "  1,\n"
            "  -2,\n"
            "  a * b,\n"
            "  b,\n"
            "  c,\n"
            ")\n"
        ),
    ),
    ("a?b:c", "a ? b : c"),
    ("[ [ ] ]", "[[]]"),
    ("[for x in y : x]", "[for x in y : x]"),
    ("[for x in [y] : x]", "[for x in [y] : x]"),
    (
        (
            "\n"
            "[\n"
            "[\n"
            "a\n"
            "]\n"
            "]\n"
        ),
        (
            "\n"
            "[\n"
            "  [\n"
            "    a\n"
            "  ]\n"
            "]\n"
        ),
    ),
    (
        (
            "\n"
            "[[\n"
            "a\n"
            "]]\n"
        ),
        (
            "\n"
            "[[\n"
            "  a\n"
            "]]\n"
        ),
    ),
    (
        (
            "\n"
            "[[\n"
            "[\n"
            "a\n"
            "]\n"
            "]]\n"
        ),
        (
            "\n"
            "[[\n"
            "  [\n"
            "    a\n"
            "  ]\n"
            "]]\n"
        ),
    ),
    (
        (
            "\n"
            "[[\n"
            "[\n"
            "a\n"
            "]]\n"
            "]\n"
        ),
        (
            "\n"
            "[[\n"
            "  [\n"
            "    a\n"
            "  ]]\n"
            "]\n"
        ),
    ),
    (
        (
            "\n"
            "b {\n"
            "a = 1\n"
            "}\n"
        ),
        (
            "\n"
            "b {\n"
            "  a = 1\n"
            "}\n"
        ),
    ),
    ("\nb {a = 1}\n", "\nb { a = 1 }\n"),
    (
        (
            "\n"
            "a = 1\n"
            "bungle = 2\n"
        ),
        (
            "\n"
            "a      = 1\n"
            "bungle = 2\n"
        ),
    ),
    (
        (
            "\n"
            "a = 1\n"
            "\n"
            "bungle = 2\n"
        ),
        (
            "\n"
            "a = 1\n"
            "\n"
            "bungle = 2\n"
        ),
    ),
    (
        (
            "\n"
            "a = 1 # foo\n"
            "bungle = 2\n"
        ),
        (
            "\n"
            "a      = 1 # foo\n"
            "bungle = 2\n"
        ),
    ),
    (
        (
            "\n"
            "a = 1 # foo\n"
            'bungle = "bonce" # baz\n'
        ),
        (
            "\n"
            "a      = 1       # foo\n"
            'bungle = "bonce" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "# here we go\n"
            "a = 1 # foo\n"
            'bungle = "bonce" # baz\n'
        ),
        (
            "\n"
            "# here we go\n"
            "a      = 1       # foo\n"
            'bungle = "bonce" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "foo {} # here we go\n"
            "a = 1 # foo\n"
            'bungle = "bonce" # baz\n'
        ),
        (
            "\n"
            "foo {}           # here we go\n"
            "a      = 1       # foo\n"
            'bungle = "bonce" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "a = 1 # foo\n"
            'bungle = "bonce" # baz\n'
            'zebra = "striped" # baz\n'
        ),
        (
            "\n"
            "a      = 1         # foo\n"
            'bungle = "bonce"   # baz\n'
            'zebra  = "striped" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "a = 1 # foo\n"
            "bungle = (\n"
            '    "bonce"\n'
            ") # baz\n"
            'zebra = "striped" # baz\n'
        ),
        (
            "\n"
            "a = 1 # foo\n"
            "bungle = (\n"
            '  "bonce"\n'
            ")                 # baz\n"
            'zebra = "striped" # baz\n'
        ),
    ),
    (
        (
            "\n"
            'a="apple"# foo\n'
            "bungle=(# woo parens\n"
            '"bonce"\n'
            ")# baz\n"
            'zebra="striped"# baz\n'
        ),
        (
            "\n"
            'a = "apple" # foo\n'
            "bungle = (  # woo parens\n"
            '  "bonce"\n'
            ")                 # baz\n"
            'zebra = "striped" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "𝒜 = 1 # foo\n"
            'bungle = "🇬🇧" # baz\n'
            'zebra = "striped" # baz\n'
        ),
        (
            "\n"
            "𝒜      = 1         # foo\n"
            'bungle = "🇬🇧"       # baz\n'
            'zebra  = "striped" # baz\n'
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "# ...\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  # ...\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo = {\n"
            "# ...\n"
            "}\n"
        ),
        (
            "\n"
            "foo = {\n"
            "  # ...\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo = [\n"
            "# ...\n"
            "]\n"
        ),
        (
            "\n"
            "foo = [\n"
            "  # ...\n"
            "]\n"
        ),
    ),
    (
        (
            "\n"
            "foo = [{\n"
            "# ...\n"
            "}]\n"
        ),
        (
            "\n"
            "foo = [{\n"
            "  # ...\n"
            "}]\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar {\n"
            "# ...\n"
            "}\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar {\n"
            "    # ...\n"
            "  }\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = {\n"
            "# ...\n"
            "}\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = {\n"
            "    # ...\n"
            "  }\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = [\n"
            "# ...\n"
            "]\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = [\n"
            "    # ...\n"
            "  ]\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<-EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<-EOT\n"
            "  Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "  Foo bar baz\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<-EOT\n"
            "  blahblahblah = x\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "  blahblahblah = x\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<-EOT\n"
            "  ${{ blahblahblah = x }}\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "  ${ { blahblahblah = x } }\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "  ${a}${b}${ c } ${d}\n"
            "EOT\n"
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<-EOT\n"
            "  ${a}${b}${c} ${d}\n"
            "EOT\n"
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
            "\n"
            "baz {\n"
            'default="string"\n'
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
            "\n"
            "baz {\n"
            '  default = "string"\n'
            "}\n"
        ),
    ),
    (
        (
            "\n"
            "foo {\n"
            "bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "baz = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
            "\n"
            "bar {\n"
            'foo = "bar"\n'
            "}\n"
        ),
        (
            "\n"
            "foo {\n"
            "  bar = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "  baz = <<EOT\n"
            "Foo bar baz\n"
            "EOT\n"
            "}\n"
            "\n"
            "bar {\n"
            '  foo = "bar"\n'
            "}\n"
        ),
    ),
    (
        (
            "\n"
            'module "foo" {\n'
            "foo = <<EOF\n"
            "5\n"
            "EOF\n"
            "}\n"
            "\n"
            'module "x" {\n'
            'a = "b"\n'
            'abcde = "456"\n'
            "}"
        ),
        (
            "\n"
            'module "foo" {\n'
            "  foo = <<EOF\n"
            "5\n"
            "EOF\n"
            "}\n"
            "\n"
            'module "x" {\n'
            '  a     = "b"\n'
            '  abcde = "456"\n'
            "}"
        ),
    ),
    ("attr = provider::framework::example()", "attr = provider::framework::example()"),
    ("attr = provider :: framework :: example()", "attr = provider::framework::example()"),
    ("attr = provider ::framework:: example()", "attr = provider::framework::example()"),
    ("attr = provider::+example()", "attr = provider:: + example()"),
]

# bake's own cases: (input, expected output, whether `terraform fmt` gives the same). terraform
# fmt runs the same hclwrite layout, but it also unwraps `"${x}"` to `x` and, unlike hclwrite.Format
# (which Packer calls), ends the file with a newline; rows marked False differ from it for that.
BAKE_CASES: list[tuple[str, str, bool]] = [
    ("a = b[ * ].c\nd = e . * . f\n", "a = b[*].c\nd = e.*.f\n", True),
    (
        "a = [-1, - 2, 3 - -4, (-5), x -1, f(x) -1, 1 *-2]\n",
        "a = [-1, -2, 3 - -4, (-5), x - 1, f(x) - 1, 1 * -2]\n",
        True,
    ),
    (
        (
            "a = b ? -1 : - 2\n"
            "c = {for k in x : k => -1}\n"
            "d = [for x in y : -x]\n"
        ),
        (
            "a = b ? -1 : -2\n"
            "c = { for k in x : k => - 1 }\n"
            "d = [for x in y : -x]\n"
        ),
        True,
    ),
    (
        (
            "a = ! ! b\n"
            "c = !(b || c)\n"
            "d = -b.c\n"
            "e = b[-1]\n"
        ),
        (
            "a = !!b\n"
            "c = !(b || c)\n"
            "d = -b.c\n"
            "e = b[-1]\n"
        ),
        True,
    ),
    (
        (
            "a = {b=1, c = 2}\n"
            "d = {a={}}\n"
            "e = [ 1,2 , 3 ]\n"
            "f = [ ]\n"
        ),
        (
            "a = { b = 1, c = 2 }\n"
            "d = { a = {} }\n"
            "e = [1, 2, 3]\n"
            "f = []\n"
        ),
        True,
    ),
    ('a = f( g( 1 ),[ 2 ] )\nb = "${ f( "x" ) }"\n', 'a = f(g(1), [2])\nb = "${f("x")}"\n', False),
    ('a = "%{ if x }y%{ else }z%{ endif }"\n', 'a = "%{if x}y%{else}z%{endif}"\n', True),
    (
        (
            'a = "x"[0]\n'
            "b = (c)[0]\n"
            'd = {}["x"]\n'
            "e = b.0.c\n"
        ),
        (
            'a = "x" [0]\n'
            "b = (c)[0]\n"
            'd = {}["x"]\n'
            "e = b.0.c\n"
        ),
        True,
    ),
    (
        "a = 1+2*3/4%5\nb = x==y&&z!=w||v<=1 && u>=2 && t<3 && s>4\n",
        "a = 1 + 2 * 3 / 4 % 5\nb = x == y && z != w || v <= 1 && u >= 2 && t < 3 && s > 4\n",
        True,
    ),
    (
        (
            "a\t=\t1\n"
            "b {\n"
            "\tc = 2\n"
            "}\n"
        ),
        (
            "a = 1\n"
            "b {\n"
            "  c = 2\n"
            "}\n"
        ),
        True,
    ),
    ("a=1\r\nbb=2\r\n", "a  = 1\r\nbb = 2\r\n", True),
    ("a = 1  \nb = 2\t\n", "a = 1\nb = 2\n", True),
    ("a = 1  ", "a = 1  ", False),
    ("a=1/* c */", "a = 1 /* c */", False),
    ("a=1/* c */\n", "a = 1 /* c */\n", True),
    (
        (
            "b {\n"
            "    # one\n"
            "  c = 1 # x\n"
            "      dd = 2 # y\n"
            "  // two\n"
            "}\n"
        ),
        (
            "b {\n"
            "  # one\n"
            "  c  = 1 # x\n"
            "  dd = 2 # y\n"
            "  // two\n"
            "}\n"
        ),
        True,
    ),
    (
        (
            "x = f(\n"
            "a, # first\n"
            "bbb, # second\n"
            ")\n"
        ),
        (
            "x = f(\n"
            "  a,   # first\n"
            "  bbb, # second\n"
            ")\n"
        ),
        True,
    ),
    (
        (
            "a = 1\n"
            "b {\n"
            "c = 2\n"
            "}\n"
            "dddd = 3\n"
            "e = 4\n"
        ),
        (
            "a = 1\n"
            "b {\n"
            "  c = 2\n"
            "}\n"
            "dddd = 3\n"
            "e    = 4\n"
        ),
        True,
    ),
    (
        (
            "a {\n"
            "b = 1 # x\n"
            "}\n"
            "cccccc = 2 # y\n"
        ),
        (
            "a {\n"
            "  b = 1 # x\n"
            "}\n"
            "cccccc = 2 # y\n"
        ),
        True,
    ),
    (
        (
            "b { # c\n"
            "d = 1\n"
            "}\n"
        ),
        (
            "b { # c\n"
            "  d = 1\n"
            "}\n"
        ),
        True,
    ),
    (
        (
            "a = <<EOT\n"
            "  x   \n"
            "    ${ y }\n"
            "EOT\n"
            "bb = 1\n"
        ),
        (
            "a  = <<EOT\n"
            "  x   \n"
            "    ${y}\n"
            "EOT\n"
            "bb = 1\n"
        ),
        True,
    ),
    (
        (
            "a = [\n"
            "<<EOT\n"
            "x\n"
            "EOT\n"
            ",\n"
            "<<-EOT\n"
            "  ${a}\n"
            "  EOT\n"
            "]\n"
        ),
        (
            "a = [\n"
            "  <<EOT\n"
            "x\n"
            "EOT\n"
            "  ,\n"
            "  <<-EOT\n"
            "  ${a}\n"
            "  EOT\n"
            "]\n"
        ),
        True,
    ),
    (
        (
            "a = {\n"
            '"k" = 1\n'
            '"longer" = 2\n'
            "(var.x) = 3\n"
            "}\n"
        ),
        (
            "a = {\n"
            '  "k"      = 1\n'
            '  "longer" = 2\n'
            "  (var.x)  = 3\n"
            "}\n"
        ),
        True,
    ),
    (
        (
            "a = x ? y : z\n"
            "bb = [\n"
            "x ?\n"
            "y :\n"
            "z\n"
            "]\n"
        ),
        (
            "a = x ? y : z\n"
            "bb = [\n"
            "  x ?\n"
            "  y :\n"
            "  z\n"
            "]\n"
        ),
        True,
    ),
    ("a = 1 /* mid */ + 2\n", "a = 1 /* mid */ + 2\n", True),
    (
        (
            "/* block\n"
            "   comment */\n"
            "b {\n"
            "/* inner\n"
            "*/\n"
            "}\n"
        ),
        (
            "/* block\n"
            "   comment */\n"
            "b {\n"
            "  /* inner\n"
            "*/\n"
            "}\n"
        ),
        True,
    ),
    (
        (
            "locals {\n"
            '  a = "🇬🇧" # x\n'
            '  bb = "é" # y\n'
            '  ccc = "👨\u200d👩\u200d👧" # z\n'
            "}\n"
        ),
        (
            "locals {\n"
            '  a   = "🇬🇧" # x\n'
            '  bb  = "é" # y\n'
            '  ccc = "👨\u200d👩\u200d👧" # z\n'
            "}\n"
        ),
        True,
    ),
    (
        (
            "a = [\n"
            "  for x in y :\n"
            "  x\n"
            "]\n"
        ),
        (
            "a = [\n"
            "  for x in y :\n"
            "  x\n"
            "]\n"
        ),
        True,
    ),
    (
        (
            "a = {\n"
            "  for k, v in m :\n"
            "  k => v\n"
            "}\n"
        ),
        (
            "a = {\n"
            "  for k, v in m :\n"
            "  k => v\n"
            "}\n"
        ),
        True,
    ),
    (
        (
            "a = f(\n"
            "  1, 2,\n"
            "  3)\n"
        ),
        (
            "a = f(\n"
            "  1, 2,\n"
            "3)\n"
        ),
        True,
    ),
    (
        (
            "a = f(1,\n"
            "2)\n"
            "b = g([\n"
            "1,\n"
            "])\n"
        ),
        (
            "a = f(1,\n"
            "2)\n"
            "b = g([\n"
            "  1,\n"
            "])\n"
        ),
        True,
    ),
    ('a = "${ {a = 1} }"\n', 'a = "${ { a = 1 } }"\n', False),
    (
        (
            "a = x[*]\n"
            "b = x[ 0 ][ 1 ]\n"
            'c = x.y[ "z" ]\n'
        ),
        (
            "a = x[*]\n"
            "b = x[0][1]\n"
            'c = x.y["z"]\n'
        ),
        True,
    ),
    (
        (
            "a = -1\n"
            "b = - -1\n"
            "c = 2 - 1\n"
        ),
        (
            "a = -1\n"
            "b = --1\n"
            "c = 2 - 1\n"
        ),
        True,
    ),
    ('a = "${x}" # only interp\n', 'a = "${x}" # only interp\n', False),
    (
        (
            "\n"
            "\n"
            "\n"
            "a = 1\n"
            "\n"
            "\n"
        ),
        (
            "\n"
            "\n"
            "\n"
            "a = 1\n"
            "\n"
            "\n"
        ),
        True,
    ),
    (
        (
            "a = 1 # c1\n"
            "\n"
            "\n"
            "b = 2 # c2\n"
        ),
        (
            "a = 1 # c1\n"
            "\n"
            "\n"
            "b = 2 # c2\n"
        ),
        True,
    ),
    ("a = true&&!false\nb = (!a)\n", "a = true && !false\nb = (!a)\n", True),
    (
        "a = [for k, v in m : v if v != null]\nb = {for k,v in m: k=>v...}\n",
        "a = [for k, v in m : v if v != null]\nb = { for k, v in m : k => v... }\n",
        True,
    ),
    (
        (
            "a = f(x...)\n"
            "b = [for x in y : x]\n"
            "c = { for x in y : x => x ... }\n"
        ),
        (
            "a = f(x...)\n"
            "b = [for x in y : x]\n"
            "c = { for x in y : x => x... }\n"
        ),
        True,
    ),
    (
        (
            "a = [\n"
            "for x in y : x\n"
            "]\n"
        ),
        (
            "a = [\n"
            "  for x in y : x\n"
            "]\n"
        ),
        True,
    ),
    ('a = "${ {a = 1} }x"\n', 'a = "${ { a = 1 } }x"\n', True),
    ('a = "${ x }" # only interp\n', 'a = "${x}" # only interp\n', False),
]

CASES_DIR = Path(__file__).parent / "format_cases"
CANONICAL_FILES = sorted(CASES_DIR.glob("*.hcl"))


def _fmt(text: str) -> str:
    return format_source(text, "test.pkr.hcl")


@pytest.mark.parametrize(("src", "want"), GO_CASES)
def test_go_golden(src: str, want: str) -> None:
    assert _fmt(src) == want


@pytest.mark.parametrize(("src", "want", "terraform_agrees"), BAKE_CASES)
def test_bake_golden(src: str, want: str, terraform_agrees: bool) -> None:
    assert _fmt(src) == want


ALL_INPUTS = [c[0] for c in GO_CASES] + [c[0] for c in BAKE_CASES]


@pytest.mark.parametrize("src", ALL_INPUTS)
def test_idempotent(src: str) -> None:
    once = _fmt(src)
    assert _fmt(once) == once


@pytest.mark.parametrize("path", CANONICAL_FILES, ids=lambda p: p.name)
def test_canonical_file_unchanged(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    assert _fmt(text) == text


def test_canonical_files_present() -> None:
    assert len(CANONICAL_FILES) >= 8


def test_only_spaces_change() -> None:
    # Formatting moves spaces only: the same tokens, in the same order, with the same text.
    for path in CANONICAL_FILES:
        text = _squash(path.read_text())
        assert _token_texts(_fmt(text)) == _token_texts(text)


def test_newlines_are_kept() -> None:
    src = "\n\n\na=1\n\n\n\nb {\n\n}\n\n"
    assert _fmt(src).count("\n") == src.count("\n")


def test_trailing_whitespace_removed_but_end_of_file_spaces_kept() -> None:
    # hclwrite never touches the spaces before the end-of-file token, and adds no final newline.
    assert _fmt("a = 1 \t\nb = 2") == "a = 1\nb = 2"
    assert _fmt("a = 1\n  \t") == "a = 1\n   "


def test_heredoc_and_comment_text_untouched() -> None:
    src = "x = <<EOT\n\t a  =  1 \nEOT\n/* a  \n  b */\n#  c  \n"
    assert _fmt(src) == src


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("abc", 3),
        ("\r\n", 1),
        ("\n\r", 2),
        ("𝒜", 1),
        ("é", 1),
        ("e\u0301", 1),
        ("🇬🇧", 1),
        ("🇬🇧🇫", 2),
        ("👨\u200d👩\u200d👧", 1),
        ("👍🏽", 1),
        ("한국어", 3),
        ("\u1100\u1161\u11a8", 1),
        # go-textseg v15 follows Unicode 15.0, before conjuncts joined (rule GB9c).
        ("क्षि", 2),
        ("\u0600a", 1),
        ("a\u200db", 2),
        ("x\u00ady", 3),
    ],
)
def test_grapheme_count(text: str, count: int) -> None:
    assert grapheme_count(text) == count


def test_grapheme_count_matches_regex_module() -> None:
    regex = pytest.importorskip("regex")  # newer Unicode than go-textseg: no Indic conjuncts here
    samples = ["naïve", "🇺🇸🇬🇧", "🏳️\u200d🌈", "ﾊﾟ", "Å", "a\u0308\u0301b", "👩🏽\u200d💻x"]
    for text in samples:
        assert grapheme_count(text) == len(regex.findall(r"\X", text)), text


# Token-level variations: change only the spaces and tabs between tokens where the scanner is in
# code mode (not inside a string's or heredoc's literal text, and not before the end of file,
# whose spaces hclwrite keeps), and insert blank lines after newlines.


def _token_texts(text: str) -> list[tuple[str, str]]:
    return [(t.type, t.text) for t in scan(SourceText("t", text)).tokens]


def _code_gaps(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each gap between tokens where spaces can be changed freely."""
    tokens = scan(SourceText("t", text)).tokens
    stack: list[str] = []
    gaps = []
    for tok, nxt in itertools.pairwise(tokens):
        if tok.type in ("OQUOTE", "OHEREDOC"):
            stack.append("text")
        elif tok.type in ("CQUOTE", "CHEREDOC", "TEMPLATE_SEQ_END") and stack:
            stack.pop()
        elif tok.type in ("TEMPLATE_INTERP", "TEMPLATE_CONTROL"):
            stack.append("code")
        in_code = not stack or stack[-1] == "code"
        # The spaces after a heredoc's closing marker belong to the marker's line.
        if in_code and nxt.type != "$END" and tok.type != "CHEREDOC":
            gaps.append((tok.end, nxt.start))
    return gaps


def _squash(text: str) -> str:
    """Remove every removable space (keeping one where two tokens would otherwise merge)."""
    return _respace(text, ["" for _ in _code_gaps(text)])


def _respace(text: str, spaces: list[str | None]) -> str:
    """Replace each code gap's spaces (None keeps them), never letting two tokens merge."""
    gaps = _code_gaps(text)
    assert len(spaces) == len(gaps)

    def build(allow_join: bool) -> str:
        out = []
        pos = 0
        for (start, end), new in zip(gaps, spaces, strict=True):
            out.append(text[pos:start])
            if new is None:
                new = text[start:end]
            elif new == "" and start != end and not allow_join:
                new = " "
            out.append(new)
            pos = end
        out.append(text[pos:])
        return "".join(out)

    want = _token_texts(text)
    result = build(True)
    if _token_texts(result) != want:
        result = build(False)
    assert _token_texts(result) == want
    return result


def _insert_blank_lines(text: str, where: list[bool]) -> str:
    tokens = scan(SourceText("t", text)).tokens
    line_ends = ("NEWLINE", "COMMENT")
    ends = [t.end for t in tokens if t.type in line_ends and t.text.endswith("\n")]
    out = []
    pos = 0
    for end, add in zip(ends, where, strict=False):
        if add:
            out.append(text[pos:end] + "\n")
            pos = end
    out.append(text[pos:])
    return "".join(out)


def _corpus() -> list[str]:
    files = [p.read_bytes().decode("utf-8") for p in CANONICAL_FILES]
    return files + [c[1] for c in BAKE_CASES] + [c[1] for c in GO_CASES]


CORPUS = _corpus()
SPACES = st.one_of(st.none(), st.sampled_from(["", " ", "  ", "\t", "    ", " \t ", "\t\t"]))


@st.composite
def _variation(draw: st.DrawFn, blank_lines: bool) -> tuple[str, str]:
    """A corpus text (maybe with blank lines added) and a respaced variant of it."""
    base = draw(st.sampled_from(CORPUS))
    if blank_lines:
        where = draw(st.lists(st.booleans(), max_size=base.count("\n")))
        base = _insert_blank_lines(base, where)
    n = len(_code_gaps(base))
    spaces = draw(st.lists(SPACES, min_size=n, max_size=n))
    return base, _respace(base, spaces)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(_variation(blank_lines=False))
def test_respacing_formats_the_same(case: tuple[str, str]) -> None:
    base, variant = case
    want = _fmt(base)
    got = _fmt(variant)
    assert got == want
    assert _fmt(got) == got


@PROPERTY
@given(_variation(blank_lines=True))
def test_blank_lines_kept_and_respacing_formats_the_same(case: tuple[str, str]) -> None:
    base, variant = case
    want = _fmt(base)
    assert _fmt(variant) == want
    assert _fmt(want) == want
    assert want.count("\n") == base.count("\n")
    assert _token_texts(want) == _token_texts(base)


def test_canonical_files_survive_squashing() -> None:
    for path in CANONICAL_FILES:
        text = path.read_bytes().decode("utf-8")
        assert _fmt(_squash(text)) == text, path.name


# terraform fmt shares hclwrite's layout; where it is installed, it is a second opinion.
TERRAFORM = shutil.which("terraform")


def _terraform_fmt(text: str) -> str:
    assert TERRAFORM is not None
    done = subprocess.run(
        [TERRAFORM, "fmt", "-no-color", "-"],
        input=text.encode(),
        capture_output=True,
        check=True,
        env={"TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"},
    )
    out: str = done.stdout.decode()
    return out


@pytest.mark.skipif(TERRAFORM is None, reason="terraform is not installed")
def test_terraform_agrees() -> None:
    for src, want, agrees in BAKE_CASES:
        if agrees:
            assert _terraform_fmt(src) == want, src
    for path in CANONICAL_FILES:
        text = path.read_bytes().decode("utf-8")
        assert _terraform_fmt(_squash(text)) == text, path.name
