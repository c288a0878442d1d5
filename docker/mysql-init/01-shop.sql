-- Run by the mysql and mariadb images' entrypoints on first start (empty data
-- directory), as root, in database "shop" (MYSQL_DATABASE / MARIADB_DATABASE).

-- cdcd's user, least privilege: the binlog stream (REPLICATION SLAVE), the
-- binlog position (REPLICATION CLIENT, which MariaDB shows as BINLOG MONITOR), the brief
-- FLUSH TABLES WITH READ LOCK that fixes a snapshot's point (RELOAD), reading
-- the captured tables (SELECT), and writing incremental-snapshot requests to
-- its signal table.
CREATE USER 'cdc'@'%' IDENTIFIED BY 'cdc';
GRANT REPLICATION SLAVE, REPLICATION CLIENT, RELOAD ON *.* TO 'cdc'@'%';
GRANT SELECT ON shop.* TO 'cdc'@'%';

CREATE TABLE shop.cdcd_signal (id VARCHAR(64) PRIMARY KEY, type VARCHAR(32) NOT NULL, data TEXT);
GRANT INSERT, UPDATE ON shop.cdcd_signal TO 'cdc'@'%';  -- INSERT ... ON DUPLICATE KEY UPDATE

CREATE TABLE shop.customers (
  id    INT PRIMARY KEY,
  name  VARCHAR(100) NOT NULL,
  email VARCHAR(200)
);
CREATE TABLE shop.orders (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  amount      DECIMAL(10, 2) NOT NULL,
  created_at  TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  FOREIGN KEY (customer_id) REFERENCES shop.customers (id)
);

-- Rows for the initial snapshot; later changes stream through the binlog.
INSERT INTO shop.customers (id, name, email) VALUES
  (1, 'Ada', 'ada@example.com'),
  (2, 'Brian', 'brian@example.com'),
  (3, 'Chen', NULL);
INSERT INTO shop.orders (customer_id, amount) VALUES (1, 19.99), (2, 5.00), (1, 42.50);
