DROP TABLE maintenance_monitors;
DROP TABLE maintenances;
