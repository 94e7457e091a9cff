DROP TABLE failed_results;
DROP TABLE rollups_daily;
DROP TABLE rollups_hourly;
DROP TABLE flips;
DROP TABLE results;
DROP TABLE monitor_state;
DROP TABLE monitors;
