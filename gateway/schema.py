"""The gateway's GraphQL schema: queries, mutations, limits and error masking.

`python -m gateway.sdl` writes the SDL to gateway/schema.graphql (a test fails when they differ).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Iterator
from typing import Any

import orjson
import strawberry
import structlog
from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ValidationContext,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import OperationType as GraphQLOperationType
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import (
    StreamResult,
    _coerce_error,
    _coerce_pre_execution_error,
    validate_document,
)
from strawberry.types import ExecutionContext
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType

from gateway import new_matches, subscriptions
from gateway.context import GatewayContext
from gateway.cost import operation_cost
from gateway.errors import CostLimitExceeded, GatewayError, RateLimitExceeded
from gateway.fanout import SHARED_FIELDS, SharedSubscriptions
from gateway.operation_metrics import OperationMetrics
from gateway.plain_fields import PlainFieldExecutor
from gateway.settings import QueryLimits
from gateway.subscription_slots import subscriber_of
from gateway.types import approaches, inquiries, match, mutations, owner, search, therapists
from gateway.types.common import SCALAR_OVERRIDES, read_field

log = structlog.get_logger(__name__)


@strawberry.type
class Query:
    approach = strawberry.field(resolver=approaches.approach)
    approaches = strawberry.field(resolver=approaches.approaches)
    therapist = strawberry.field(resolver=therapists.therapist)
    searchTherapists = strawberry.field(resolver=search.search_therapists)
    findMatch = strawberry.field(resolver=match.find_match)
    myInquiries = strawberry.field(resolver=inquiries.my_inquiries)
    myProfile = strawberry.field(resolver=owner.my_profile)


@strawberry.type
class Subscription:
    therapistChanged = strawberry.subscription(resolver=subscriptions.therapist_changed)
    newMatches = strawberry.subscription(resolver=new_matches.new_matches)


@strawberry.type
class Mutation:
    createMyProfile = strawberry.mutation(resolver=owner.create_my_profile)
    deleteMyProfile = strawberry.mutation(resolver=owner.delete_my_profile)
    updateMyProfile = strawberry.mutation(resolver=mutations.update_my_profile)
    confirmAvailability = strawberry.mutation(resolver=mutations.confirm_availability)
    setApproachStatement = strawberry.mutation(resolver=mutations.set_approach_statement)
    removeApproachStatement = strawberry.mutation(resolver=mutations.remove_approach_statement)
    sendInquiry = strawberry.mutation(resolver=inquiries.send_inquiry)
    markInquiryAnswered = strawberry.mutation(resolver=inquiries.mark_inquiry_answered)


def is_internal(error: GraphQLError) -> bool:
    """An error from a bug or an unexpected failure (not a GraphQL or an expected one)."""
    original = error.original_error
    return original is not None and not isinstance(original, GatewayError | GraphQLError)


def request_id_of(execution_context: ExecutionContext) -> str:
    return getattr(execution_context.context, "request_id", "unknown")


class MaskInternalErrors(MaskErrors):
    """Internal errors reach clients as a request id only; the log has the details under it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_internal)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = request_id_of(self.execution_context)
        return GraphQLError(
            f"Internal error (request id {request_id})",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )


class GatewayBookkeeping(SchemaExtension):
    """Notes the operation's type on the context (only queries are cached) and gives expected
    errors their `extensions` (code and details) in the response."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, GatewayContext):
            context.operation_type = self.execution_context.operation_type
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in getattr(result, "errors", None) or ():
            if isinstance(error.original_error, GatewayError):
                error.extensions = {**(error.extensions or {}), **error.original_error.extensions}


class CostLimiter(SchemaExtension):
    """Prices the validated operation with its variables (gateway.cost) and refuses it, before any
    resolver runs, when it costs more than the limit or more than the client has left of its
    allowance (gateway.ratelimit); every executed answer reports its cost."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost
        self.cost: int | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        # on_execute runs only for documents that parsed and validated, so the walk can trust them.
        context = self.execution_context
        assert context.graphql_document is not None
        self.cost = operation_cost(
            context.schema._schema, context.graphql_document, context.variables, context.operation_name
        )
        context.operation_cost = self.cost  # type: ignore[attr-defined]  # for gateway.operation_metrics
        gateway = context.context if isinstance(context.context, GatewayContext) else None
        if gateway is not None:
            gateway.operation_cost = self.cost
        refusal: GatewayError | None = None
        if self.cost > self.max_cost:
            refusal = CostLimitExceeded(
                f"This query would cost {self.cost:,} (limit {self.max_cost:,}): "
                "ask for fewer items with `first`",
                cost=self.cost,
                limit=self.max_cost,
            )
        elif gateway is not None and gateway.rate_limiter is not None:
            assert gateway.client is not None
            wait = await gateway.rate_limiter.charge(gateway.client, self.cost)
            if wait is not None:
                gateway.retry_after = wait
                refusal = RateLimitExceeded(wait, cost=self.cost)
        if refusal is not None:
            if context.operation_type is OperationType.SUBSCRIPTION:
                # Strawberry subscribes whatever the result says, but answers with what this raises.
                raise refusal
            # A result set here is returned as it is: graphql-core's execute is never called.
            context.result = GraphQLExecutionResult(
                data=None, errors=[GraphQLError(refusal.message, original_error=refusal)]
            )
        elif gateway is not None:
            gateway.executed = True
        yield

    def get_results(self) -> dict[str, Any]:
        if self.cost is None:
            return {}
        return {"cost": {"requested": self.cost, "limit": self.max_cost}}


class DirectorySchema(strawberry.Schema):
    def __init__(self, *args: Any, max_tokens: int = QueryLimits().max_tokens, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_tokens = max_tokens
        self.shared_subscriptions = SharedSubscriptions()

    async def _stream(  # type: ignore[override]
        self,
        execution_context: ExecutionContext,
        extensions_runner: SchemaExtensionsRunner,
        *args: Any,
        **kwargs: Any,
    ) -> StreamResult:
        """Strawberry's, except for a subscription to one of `SHARED_FIELDS`: it is subscribed
        here, on its own (parsed, validated, priced, charged, given one of its client's slots),
        then reads the results of the one execution identical subscriptions share (gateway.fanout)."""
        context = execution_context.context
        if not (
            isinstance(context, GatewayContext)
            and context.hub is not None
            and not context.shared
            and _shares_execution(
                execution_context.query, execution_context.provided_operation_name, self.max_tokens
            )
        ):
            stream = super()._stream(execution_context, extensions_runner, *args, **kwargs)
            async with contextlib.aclosing(stream) as results:
                async for result in results:
                    yield result
            return
        slot: contextlib.AbstractContextManager[None] | None = None
        try:
            # The subscriber's own operation (its span, its metrics) ends once it is subscribed:
            # from then on it holds only its slot and its place among the shared results' readers.
            async with extensions_runner.operation():
                refusal, slot = await self._subscribe_one(execution_context, extensions_runner, context)
                if refusal is not None:
                    result = await self._handle_execution_result(
                        execution_context, refusal, extensions_runner
                    )
                    async with extensions_runner.on_stream_result(result):
                        yield result
                    return
            results = self.shared_subscriptions.results(
                _identical_subscriptions(execution_context, context),
                functools.partial(
                    self.stream,
                    execution_context.query,
                    variable_values=execution_context.variables,
                    context_value=context.for_shared_execution(),
                    root_value=execution_context.root_value,
                    operation_name=execution_context.provided_operation_name,
                    operation_extensions=execution_context.operation_extensions,
                    allowed_operation_types=(OperationType.SUBSCRIPTION,),
                ),
            )
            # Thousands may be open for hours: what subscribing took is not kept meanwhile.
            del execution_context, extensions_runner, args, kwargs
            async with contextlib.aclosing(results):
                async for result in results:
                    yield result
        finally:
            if slot is not None:
                slot.__exit__(None, None, None)

    async def _subscribe_one(
        self,
        execution_context: ExecutionContext,
        extensions_runner: SchemaExtensionsRunner,
        context: GatewayContext,
    ) -> tuple[
        ExecutionResult | GraphQLExecutionResult | None, contextlib.AbstractContextManager[None] | None
    ]:
        """(None, the slot it holds) once the subscription may read its shared execution's
        results; else (the refusal, as strawberry's own subscriptions report it, None)."""
        try:
            if errors := await self._prepare_operation_async(execution_context, extensions_runner):
                return errors, None
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as error:
            return PreExecutionError(data=None, errors=[_coerce_pre_execution_error(error)]), None
        assert context.hub is not None
        slot = context.hub.slots.held(subscriber_of(context))
        try:
            # The slot first: a subscription refused for want of one is not charged.
            slot.__enter__()
        except GatewayError as refused:
            return GraphQLExecutionResult(data=None, errors=[_coerce_error(refused)]), None
        try:
            async with extensions_runner.executing():  # CostLimiter prices and charges it, or raises
                pass
        except GatewayError as refused:
            slot.__exit__(None, None, None)
            return GraphQLExecutionResult(data=None, errors=[_coerce_error(refused)]), None
        return None, slot

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Messages of user errors can quote variable values (questionnaire answers among them),
        # so only their kind and path are logged; internal errors are logged in full.
        request_id = request_id_of(execution_context) if execution_context else "unknown"
        for error in errors:
            original = error.original_error
            if is_internal(error):
                log.error("graphql_internal_error", request_id=request_id, path=error.path, exc_info=original)
            else:
                code = original.extensions["code"] if isinstance(original, GatewayError) else "GRAPHQL"
                log.info("graphql_error", request_id=request_id, code=code, path=error.path)


@functools.lru_cache(maxsize=512)
def _shares_execution(query: str | None, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation is a subscription to one of `SHARED_FIELDS`; False for a document
    that does not parse (strawberry's own path says why)."""
    if not query:
        return False
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except GraphQLError:
        return False
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not GraphQLOperationType.SUBSCRIPTION:
        return False
    fields = operation.selection_set.selections
    return len(fields) == 1 and isinstance(fields[0], FieldNode) and fields[0].name.value in SHARED_FIELDS


def _identical_subscriptions(execution_context: ExecutionContext, context: GatewayContext) -> tuple[Any, ...]:
    """What subscriptions to `SHARED_FIELDS` with the same results have in common."""
    variables = orjson.dumps(execution_context.variables or {}, option=orjson.OPT_SORT_KEYS)
    return (
        execution_context.query,
        execution_context.provided_operation_name,
        variables,
        context.authorization,
    )


def _ignore_introspection(context: IgnoreContext) -> bool:
    return context.field_name.startswith("__")


def _unless_a_fragment_is_unknown(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """`rule`, left out of a document that spreads an undefined fragment: strawberry's depth
    limiter looks fragments up as it is made and would fail with a bare KeyError, where
    graphql-core's KnownFragmentNamesRule names the fragment."""

    class Guarded(ASTValidationRule):
        def __new__(cls, context: ValidationContext) -> ASTValidationRule:  # type: ignore[misc]
            document = context.document
            defined = {d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            spread: set[str] = set()

            class Spreads(Visitor):
                def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
                    spread.add(node.name.value)

            visit(document, Spreads())
            return ASTValidationRule(context) if spread - defined else rule(context)

    return Guarded


class _Text:
    """A parsed document that hashes and compares as its text (one text parses to one document)."""

    __slots__ = ("document", "text")

    def __init__(self, text: str, document: Any) -> None:
        self.text, self.document = text, document

    def __hash__(self) -> int:
        return hash(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Text) and other.text == self.text


@functools.lru_cache(maxsize=512)
def _validated(schema: Any, text: _Text, rules: tuple[type[ASTValidationRule], ...]) -> list[GraphQLError]:
    return validate_document(schema, text.document, rules)


class ValidationByText(SchemaExtension):
    """Validation errors remembered per query text and rule set. Strawberry's own cache keys on
    the parsed document, whose hash walks the whole tree on every request."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = tuple(context.validation_rules)
        if context.query is None:
            context.pre_execution_errors = validate_document(
                context.schema._schema, context.graphql_document, rules
            )
        else:
            text = _Text(context.query, context.graphql_document)
            context.pre_execution_errors = _validated(context.schema._schema, text, rules)
        yield


def build_schema(limits: QueryLimits = QueryLimits(), *, introspection: bool = True) -> strawberry.Schema:
    # The limit rules are made once: the validation cache is keyed by the rule classes.
    depth = QueryDepthLimiter(max_depth=limits.max_depth, should_ignore=_ignore_introspection)
    rules = [
        *(_unless_a_fragment_is_unknown(rule) for rule in depth.validation_rules),
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        *(() if introspection else (NoSchemaIntrospectionCustomRule,)),
    ]
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(rules),
        ValidationByText,
        lambda: CostLimiter(max_cost=limits.max_cost),
        OperationMetrics,  # before the two below, so it sees the errors' codes they set
        GatewayBookkeeping,
        MaskInternalErrors,
    ]
    return DirectorySchema(
        max_tokens=limits.max_tokens,
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(default_resolver=read_field),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=PlainFieldExecutor,
    )


schema = build_schema()
