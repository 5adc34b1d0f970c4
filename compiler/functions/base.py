"""The function framework: parameters, arity, conversion, unknowns and marks, as cty's function package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import msgspec

from ..cty import types as T
from ..cty.convert import ConversionError, convert
from ..cty.values import SENSITIVE, Value, unknown

if TYPE_CHECKING:
    from ..inputs import Inputs


class FunctionError(Exception):
    """A function call failed; arg is the index of the argument to blame, if any."""

    def __init__(self, message: str, arg: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.arg = arg


class Param(msgspec.Struct, frozen=True):
    """One parameter: its name, type (DYNAMIC for any) and what it tolerates."""

    name: str
    type: T.Type = T.DYNAMIC
    allow_null: bool = False
    allow_unknown: bool = False
    allow_marked: bool = False
    # Accept a value whose type is not known yet; cty's default is False (then the call's result is an
    # unknown of unknown type), but most functions Packer uses set it, so it is bake's default.
    allow_dynamic: bool = True


class CallContext:
    """What impure functions may use: recorded inputs, and whether `env` is allowed here."""

    def __init__(self, inputs: Inputs | None = None, allow_env: bool = False, seed: bytes = b"") -> None:
        self.inputs = inputs
        self.allow_env = allow_env
        # uuidv4 is made pure: its bytes derive from `seed` (plan inputs and call site) and a per-context counter.
        self.seed = seed
        self.counter = 0

    def next_counter(self) -> int:
        """A number that differs on each call (so successive uuidv4() calls with one seed differ)."""
        n = self.counter
        self.counter += 1
        return n

    def require_inputs(self, fn: str) -> Inputs:
        """The Inputs object, or an error when this evaluation has none (e.g. a bare console)."""
        if self.inputs is None:
            raise FunctionError(f"{fn} is not available here: no template folder to read from")
        return self.inputs


ReturnType = T.Type | Callable[[Sequence[Value]], T.Type]
Impl = Callable[[Sequence[Value], CallContext], Value]


class Function:
    """A named function: fixed parameters, an optional variadic one, a return type and an implementation.

    `impl` receives arguments already converted to the parameter types, known and unmarked unless
    the parameter allows otherwise. `returns` is the result type, or a function of the (converted)
    arguments giving it; it is used for the unknown result when an argument is unknown. Raise
    FunctionError (with `arg` set when one argument is to blame) for a failed call.
    """

    def __init__(
        self,
        name: str,
        params: Sequence[Param],
        returns: ReturnType,
        impl: Impl,
        var_param: Param | None = None,
        description: str = "",
        impure: bool = False,
    ) -> None:
        self.name = name
        self.params = tuple(params)
        self.var_param = var_param
        self.returns = returns
        self.impl = impl
        self.description = description
        self.impure = impure

    def return_type(self, args: Sequence[Value]) -> T.Type:
        """The result type for these arguments (DYNAMIC when it cannot be told)."""
        if isinstance(self.returns, T.Type):
            return self.returns
        try:
            return self.returns(args)
        except (FunctionError, ConversionError, AssertionError, TypeError, ValueError):
            return T.DYNAMIC

    def call(self, args: Sequence[Value], ctx: CallContext | None = None) -> Value:
        """Check arity, convert, propagate unknowns and marks, and run the implementation."""
        ctx = ctx or CallContext()
        n_fixed = len(self.params)
        if len(args) < n_fixed:
            missing = self.params[len(args)].name
            raise ArityError(f'Function "{self.name}" expects {_count(n_fixed, self.var_param)}. '
                             f'Missing value for "{missing}".', too_many=False)
        if len(args) > n_fixed and self.var_param is None:
            raise ArityError(f'Function "{self.name}" expects only {_count(n_fixed, None)}.', too_many=True)
        ready: list[Value] = []
        marks: set[str] = set()
        any_unknown = False
        dynamic_result = False
        for i, arg in enumerate(args):
            param = self.params[i] if i < n_fixed else self.var_param
            assert param is not None
            if not param.allow_marked:
                arg, m = arg.unmark_deep()  # as cty: marks anywhere inside go onto the result
                marks |= m
            if dynamic_result:
                pass  # cty stopped checking at an earlier argument of unknown type
            elif arg.is_null and not param.allow_null:
                raise FunctionError("argument must not be null", i)
            elif isinstance(arg.ty, T.Dynamic) and not param.allow_dynamic:
                # cty stops type checking here: the result's type cannot be known yet
                dynamic_result = True
            elif not isinstance(param.type, T.Dynamic):
                try:
                    arg = convert(arg, param.type)
                except ConversionError as exc:
                    raise FunctionError(str(exc), i) from None
            if not arg.is_wholly_known() and not param.allow_unknown:
                any_unknown = True
            ready.append(arg)
        if any_unknown:
            return unknown(T.DYNAMIC if dynamic_result else self.return_type(ready)).with_marks(marks)
        try:
            result = self.impl(ready, ctx)
        except FunctionError as exc:
            if SENSITIVE in marks:
                # the message could quote the secret (a path, a value): say only what failed
                raise FunctionError(
                    "the call failed; its message is not shown because an argument is sensitive", exc.arg
                ) from None
            raise
        return result.with_marks(marks) if marks else result


class ArityError(FunctionError):
    """Too few or too many arguments."""

    def __init__(self, message: str, too_many: bool) -> None:
        super().__init__(message)
        self.too_many = too_many


def _count(n: int, var: Param | None) -> str:
    noun = "argument" if n == 1 else "arguments"
    if var is not None:
        return f"at least {n} {noun}"
    return f"{n} {noun}" if n else "no arguments"


Registry = dict[str, Function]


def register(registry: Registry, fn: Function) -> Function:
    """Add a function to a registry (one per module), refusing duplicates."""
    if fn.name in registry:
        raise ValueError(f"function {fn.name} defined twice")
    registry[fn.name] = fn
    return fn
