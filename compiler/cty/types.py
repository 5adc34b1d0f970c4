"""cty types: primitives, the dynamic pseudo-type, collections and structural types."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec


class Type(msgspec.Struct, frozen=True):
    """Base of all types; types compare and hash by structure."""

    def friendly(self) -> str:
        """The name cty uses in messages ("string", "list of number", "object"...)."""
        raise NotImplementedError

    def is_collection(self) -> bool:
        """list, set or map."""
        return False

    def __str__(self) -> str:
        return self.type_expr()

    def type_expr(self) -> str:
        """The HCL type constraint expression that denotes this type."""
        raise NotImplementedError


class Primitive(Type, frozen=True):
    """string, number or bool."""

    name: str

    def friendly(self) -> str:
        return self.name

    def type_expr(self) -> str:
        return self.name


class Dynamic(Type, frozen=True):
    """The dynamic pseudo-type (`any` in type constraints; the type of an unknown of unknown type)."""

    def friendly(self) -> str:
        return "dynamic"

    def type_expr(self) -> str:
        return "any"


class List(Type, frozen=True):
    """list(T)."""

    elem: Type

    def friendly(self) -> str:
        return f"list of {self.elem.friendly()}"

    def is_collection(self) -> bool:
        return True

    def type_expr(self) -> str:
        return f"list({self.elem.type_expr()})"


class Set(Type, frozen=True):
    """set(T)."""

    elem: Type

    def friendly(self) -> str:
        return f"set of {self.elem.friendly()}"

    def is_collection(self) -> bool:
        return True

    def type_expr(self) -> str:
        return f"set({self.elem.type_expr()})"


class Map(Type, frozen=True):
    """map(T)."""

    elem: Type

    def friendly(self) -> str:
        return f"map of {self.elem.friendly()}"

    def is_collection(self) -> bool:
        return True

    def type_expr(self) -> str:
        return f"map({self.elem.type_expr()})"


class Tuple(Type, frozen=True):
    """tuple([T1, T2, ...])."""

    elems: tuple[Type, ...]

    def friendly(self) -> str:
        return "tuple"

    def type_expr(self) -> str:
        return "tuple([" + ", ".join(e.type_expr() for e in self.elems) + "])"


class Object(Type, frozen=True):
    """object({name = T, ...}); `optional` names attributes a type constraint may leave out."""

    attrs: tuple[tuple[str, Type], ...]
    optional: frozenset[str] = frozenset()

    def friendly(self) -> str:
        return "object"

    @property
    def attr_types(self) -> dict[str, Type]:
        """Attribute name to type."""
        return dict(self.attrs)

    def type_expr(self) -> str:
        parts = []
        for name, ty in self.attrs:
            inner = ty.type_expr()
            if name in self.optional:
                inner = f"optional({inner})"
            parts.append(f"{name} = {inner}")
        return "object({" + ", ".join(parts) + "})"


STRING = Primitive("string")
NUMBER = Primitive("number")
BOOL = Primitive("bool")
DYNAMIC = Dynamic()
EMPTY_OBJECT = Object(())
EMPTY_TUPLE = Tuple(())


def object_of(attrs: Mapping[str, Type], optional: frozenset[str] = frozenset()) -> Object:
    """An object type with its attributes in canonical (sorted) order."""
    return Object(tuple(sorted(attrs.items())), frozenset(optional))


def has_dynamic(ty: Type) -> bool:
    """Whether the dynamic pseudo-type appears anywhere in ty."""
    if isinstance(ty, Dynamic):
        return True
    if isinstance(ty, (List, Set, Map)):
        return has_dynamic(ty.elem)
    if isinstance(ty, Tuple):
        return any(has_dynamic(e) for e in ty.elems)
    if isinstance(ty, Object):
        return any(has_dynamic(t) for _, t in ty.attrs)
    return False
