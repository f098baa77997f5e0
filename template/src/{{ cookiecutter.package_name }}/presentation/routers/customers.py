"""/v1/customers: thin handlers that turn HTTP into use-case calls and back.

Responses are the use cases' views themselves (application/dto.py): FastAPI
serializes exactly their fields, so there is no second customer shape to keep in step.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from ...application.customers import CustomerUseCases
from ...application.dto import (
    MAX_OFFSET,
    MAX_PAGE_SIZE,
    MAX_SEARCH_LENGTH,
    CreateCustomer,
    CustomerView,
    Page,
    PageRequest,
    UpdateCustomer,
)
from ..auth import AuthenticatedRoute, principal_of
from ..container import customer_use_cases
from ..input_types import SearchText
from ..schemas import CustomerCreate, CustomerUpdate, Problem

router = APIRouter(
    prefix="/v1/customers",
    route_class=AuthenticatedRoute,
    tags=["customers"],
    # 400, 401, 403, 413, 415, 422, 429 and 503 are declared for every operation by presentation/openapi.py.
)
UseCases = Annotated[CustomerUseCases, Depends(customer_use_cases)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
# `:uuid` routes only ids that can exist: anything else is the router's plain 404, and /v1/customers/search
# is never also a customer id (its Allow header lists GET only).
BY_ID = "/{customer_id:uuid}"


@router.post("", status_code=status.HTTP_201_CREATED, responses={status.HTTP_409_CONFLICT: {"model": Problem}})
async def create_customer(body: CustomerCreate, request: Request, customers: UseCases) -> CustomerView:
    return await customers.create(principal_of(request), CreateCustomer(**body.model_dump()))


@router.get("")
async def list_customers(
    request: Request, customers: UseCases, limit: Limit = 20, offset: Offset = 0
) -> Page[CustomerView]:
    return await customers.list(principal_of(request), PageRequest(limit=limit, offset=offset))


@router.get("/search")
async def search_customers(
    request: Request,
    customers: UseCases,
    q: Annotated[SearchText, Query(min_length=1, max_length=MAX_SEARCH_LENGTH, description="Part of a name or e-mail")],
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[CustomerView]:
    return await customers.search(principal_of(request), q, PageRequest(limit=limit, offset=offset))


@router.get(BY_ID, responses={status.HTTP_404_NOT_FOUND: {"model": Problem}})
async def get_customer(customer_id: uuid.UUID, request: Request, customers: UseCases) -> CustomerView:
    return await customers.get(principal_of(request), str(customer_id))


@router.patch(
    BY_ID, responses={status.HTTP_404_NOT_FOUND: {"model": Problem}, status.HTTP_409_CONFLICT: {"model": Problem}}
)
async def update_customer(
    customer_id: uuid.UUID, body: CustomerUpdate, request: Request, customers: UseCases
) -> CustomerView:
    changes = body.model_dump(exclude_unset=True)
    command = UpdateCustomer(**changes, clear_phone="phone" in changes and changes["phone"] is None)
    return await customers.update(principal_of(request), str(customer_id), command)


@router.delete(BY_ID, status_code=status.HTTP_204_NO_CONTENT, responses={status.HTTP_404_NOT_FOUND: {"model": Problem}})
async def delete_customer(customer_id: uuid.UUID, request: Request, customers: UseCases) -> Response:
    await customers.delete(principal_of(request), str(customer_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
