-- Health bureau: NCMS (new rural cooperative medical system) enrollment, hospital
-- settlement bills and fixed chronic-disease outpatient subsidies. Sample schema
-- for assist-adapter. Settlement types follow the national medical insurance
-- codes (11 common outpatient, 14 chronic outpatient, 21 inpatient).
-- Every table has REPLICA IDENTITY FULL: a delete carries the whole old row (the
-- adapter sets it when its role owns the table, and refuses to start otherwise).

CREATE TABLE IF NOT EXISTS ncms_enrollment (
	family_card_no  varchar(16)  NOT NULL, -- one NCMS card per rural household
	member_seq      smallint     NOT NULL,
	enrol_year      smallint     NOT NULL,
	patient_idno    char(18)     NOT NULL,
	patient_name    varchar(50)  NOT NULL,
	premium_yuan    numeric(8,2) NOT NULL,
	premium_payer   char(1)      NOT NULL DEFAULT '1', -- 1 self, 2 medical assistance fund
	enrolled_on     date         NOT NULL,
	withdrawn_on    date,
	PRIMARY KEY (family_card_no, member_seq, enrol_year)
);
ALTER TABLE ncms_enrollment REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS hosp_bill (
	bill_no             varchar(24)   PRIMARY KEY,
	patient_idno        char(18)      NOT NULL,
	hospital_code       varchar(12)   NOT NULL,
	hosp_level          char(2)       NOT NULL, -- HM Huimin designated, SZ city central, SJ provincial, QT other
	settle_type         char(2)       NOT NULL, -- 11 outpatient, 14 chronic outpatient, 21 inpatient
	diag_group          char(2)       NOT NULL, -- ZL cancer, SY kidney transplant, TX dialysis,
	                                            -- ZB major disease, MB chronic disease, PT common
	icd10               varchar(10),
	service_date        date          NOT NULL, -- admission or visit
	discharge_date      date,
	total_yuan          numeric(12,2) NOT NULL,
	eligible_yuan       numeric(12,2),          -- within the insurer's catalogue
	insurer             char(1)       NOT NULL, -- H Huimin, N NCMS, Z workers' insurance, W none
	insurer_paid_yuan   numeric(12,2),
	chronic_months      smallint,
	special_approval    boolean       NOT NULL DEFAULT false,
	settled_at          timestamptz   NOT NULL DEFAULT now()
);
ALTER TABLE hosp_bill REPLICA IDENTITY FULL;
CREATE INDEX IF NOT EXISTS hosp_bill_patient ON hosp_bill (patient_idno);

CREATE TABLE IF NOT EXISTS chronic_subsidy (
	subsidy_no      varchar(24)   PRIMARY KEY,
	patient_idno    char(18)      NOT NULL,
	disease_code    char(2)       NOT NULL, -- ZL cancer, SY kidney transplant, TX dialysis
	hosp_level      char(2)       NOT NULL,
	period_start    date          NOT NULL, -- first day of the first month covered
	months          smallint      NOT NULL DEFAULT 1 CHECK (months BETWEEN 1 AND 12),
	expense_yuan    numeric(12,2) NOT NULL, -- outpatient expense over the period
	insurer         char(1)       NOT NULL DEFAULT 'H',
	approved_by     varchar(40)
);
ALTER TABLE chronic_subsidy REPLICA IDENTITY FULL;
