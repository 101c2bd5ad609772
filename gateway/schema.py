"""The gateway's GraphQL schema: queries, mutations, limits and error masking.

`python -m gateway.sdl` writes the SDL to gateway/schema.graphql (a test fails when they differ).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import strawberry
import structlog
from graphql import (
    ASTValidationRule,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    ValidationContext,
    Visitor,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.query_depth_limiter import IgnoreContext
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway import subscriptions
from gateway.context import GatewayContext
from gateway.cost import operation_cost
from gateway.errors import CostLimitExceeded, GatewayError, RateLimitExceeded
from gateway.operation_metrics import OperationMetrics
from gateway.settings import QueryLimits
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
        lambda: ValidationCache(maxsize=512),
        lambda: CostLimiter(max_cost=limits.max_cost),
        OperationMetrics,  # before the two below, so it sees the errors' codes they set
        GatewayBookkeeping,
        MaskInternalErrors,
    ]
    return DirectorySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(default_resolver=read_field),
        scalar_overrides=SCALAR_OVERRIDES,
    )


schema = build_schema()
