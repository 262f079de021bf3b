-- Labor and social security bureau: insurance enrollment, re-employment
-- concession cards, unemployment registrations, training and Huimin medical
-- insurance. Sample schema for assist-adapter. Insurance types follow the
-- social insurance codes (110 pension, 210 unemployment, 310 basic medical).
-- Every table has REPLICA IDENTITY FULL: a delete carries the whole old row (the
-- adapter sets it when its role owns the table, and refuses to start otherwise).

CREATE TABLE IF NOT EXISTS insurance_enrolment (
	insured_no      varchar(20)  NOT NULL,
	insurance_type  char(3)      NOT NULL,
	citizen_id      char(18)     NOT NULL,
	employer_code   varchar(20),
	start_date      date         NOT NULL,
	stop_date       date,
	PRIMARY KEY (insured_no, insurance_type)
);
ALTER TABLE insurance_enrolment REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS reemployment_card (
	card_no       varchar(20)  PRIMARY KEY,
	citizen_id    char(18)     NOT NULL,
	card_class    char(1)      NOT NULL CHECK (card_class IN ('A', 'B')),
	is_4050       boolean      NOT NULL DEFAULT false,
	issued_on     date         NOT NULL,
	revoked_on    date,
	issuing_office varchar(40)
);
ALTER TABLE reemployment_card REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS unemployment_registration (
	reg_no           varchar(20)  PRIMARY KEY,
	citizen_id       char(18)     NOT NULL,
	registered_since date         NOT NULL,
	ended_on         date,
	end_reason       char(2),     -- 01 employed, 02 retired, 03 moved, 09 other
	zero_employment_family boolean NOT NULL DEFAULT false
);
ALTER TABLE unemployment_registration REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS training_course (
	course_code   varchar(16)  PRIMARY KEY,
	title         varchar(80)  NOT NULL,
	program_type  char(2)      NOT NULL, -- ZY vocational, CY entrepreneurship (SYB),
	                                     -- FP poverty alleviation, YG Sunshine Project
	run_by        char(1)      NOT NULL, -- S city, Q district
	start_date    date         NOT NULL,
	end_date      date         NOT NULL,
	days          smallint     NOT NULL
);
ALTER TABLE training_course REPLICA IDENTITY FULL;

-- A completion copies the course's terms when the certificate is issued, as the
-- subsidy is paid on what the trainee actually attended.
CREATE TABLE IF NOT EXISTS training_completion (
	cert_no       varchar(20)  PRIMARY KEY,
	course_code   varchar(16)  NOT NULL,
	citizen_id    char(18)     NOT NULL,
	program_type  char(2)      NOT NULL,
	run_by        char(1)      NOT NULL,
	start_date    date         NOT NULL,
	end_date      date         NOT NULL,
	days          smallint     NOT NULL,
	employed_on   date,
	employer_name varchar(80)
);
ALTER TABLE training_completion REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS huimin_enrolment (
	huimin_no     varchar(20)  PRIMARY KEY,
	citizen_id    char(18)     NOT NULL,
	premium_yuan  numeric(8,2) NOT NULL,
	enrolled_on   date         NOT NULL,
	ended_on      date
);
ALTER TABLE huimin_enrolment REPLICA IDENTITY FULL;
