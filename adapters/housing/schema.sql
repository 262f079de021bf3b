-- Real estate administration (housing security office): surveyed housing area,
-- urban rental subsidies, public-housing rent reductions and rural building and
-- repair projects. Sample schema for assist-adapter. Money is kept in fen.
-- hh_code is the civil affairs household number.
-- Every table has REPLICA IDENTITY FULL: a delete carries the whole old row (the
-- adapter sets it when its role owns the table, and refuses to start otherwise).

CREATE TABLE IF NOT EXISTS housing_area_record (
	record_no        varchar(20)   PRIMARY KEY,
	hh_code          varchar(20)   NOT NULL,
	applicant_id     char(18)      NOT NULL,
	total_area_m2    numeric(8,2)  NOT NULL,
	resident_count   smallint      NOT NULL CHECK (resident_count > 0),
	low_income_cert  varchar(20),  -- civil affairs' lowest-income certificate
	surveyed_on      date          NOT NULL,
	surveyor         varchar(40)
);
ALTER TABLE housing_area_record REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS rental_subsidy_app (
	app_no            varchar(20)  PRIMARY KEY,
	hh_code           varchar(20)  NOT NULL,
	applicant_id      char(18)     NOT NULL,
	status            char(2)      NOT NULL DEFAULT '01', -- 01 submitted, 02 approved, 03 refused
	subsidised_m2     numeric(6,2),
	monthly_fen       bigint,
	submitted_on      date         NOT NULL,
	approved_on       date
);
ALTER TABLE rental_subsidy_app REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS rent_reduction (
	rr_no             varchar(20)  PRIMARY KEY,
	hh_code           varchar(20)  NOT NULL,
	flat_code         varchar(20)  NOT NULL,
	public_rent_fen   bigint       NOT NULL,
	effective_from    date         NOT NULL,
	approved          boolean      NOT NULL DEFAULT false
);
ALTER TABLE rent_reduction REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS rural_house_project (
	project_no     varchar(20)  PRIMARY KEY,
	hh_code        varchar(20)  NOT NULL,
	project_type   char(2)      NOT NULL, -- XJ new or rebuilt house, WG repair of a dangerous house
	house_state    char(1),     -- 0 none, 1 thatched, 2 certified dangerous, 3 disaster
	approved_on    date,
	subsidy_fen    bigint,
	completed_on   date
);
ALTER TABLE rural_house_project REPLICA IDENTITY FULL;
