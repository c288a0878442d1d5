-- Run by the postgres image's entrypoint on first start (empty data
-- directory), as the superuser, in database "shop".

-- cdcd's user: REPLICATION for the slot and the replication stream.
CREATE ROLE cdc WITH LOGIN REPLICATION PASSWORD 'cdc';
-- CREATE on the database lets cdc create its publication.
GRANT CREATE ON DATABASE shop TO cdc;

CREATE TABLE public.customers (
  id    integer PRIMARY KEY,
  name  text NOT NULL,
  email text
);
CREATE TABLE public.orders (
  id          bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES public.customers (id),
  amount      numeric(10, 2) NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- A publication may only name tables its creator owns.
ALTER TABLE public.customers OWNER TO cdc;
ALTER TABLE public.orders OWNER TO cdc;

-- Rows for the initial snapshot; later changes stream through the slot.
INSERT INTO public.customers (id, name, email) VALUES
  (1, 'Ada', 'ada@example.com'),
  (2, 'Brian', 'brian@example.com'),
  (3, 'Chen', NULL);
INSERT INTO public.orders (customer_id, amount) VALUES (1, 19.99), (2, 5.00), (1, 42.50);
