-- Education bureau: student register (national student number = 'G' + resident ID
-- number), school terms and student aid grants. Sample schema for assist-adapter.
-- Every table has REPLICA IDENTITY FULL: a delete carries the whole old row (the
-- adapter sets it when its role owns the table, and refuses to start otherwise).

CREATE TABLE IF NOT EXISTS student (
	student_no       varchar(19)  PRIMARY KEY, -- G + ID number; L + local number without an ID
	id_no            char(18),
	name             varchar(50)  NOT NULL,
	school_code      char(10)     NOT NULL,
	school_name      varchar(80)  NOT NULL,
	stage_code       char(2)      NOT NULL, -- XX primary, CZ junior, GZ senior, ZZ vocational, DX university
	grade            smallint     NOT NULL,
	boarder          boolean      NOT NULL DEFAULT false,
	hardship_level   char(1)      NOT NULL DEFAULT '0', -- 0 none, 1 hardship, 2 special hardship
	hardship_since   date,         -- when the current level was assessed (NULL: never)
	enrolled_on      date         NOT NULL
);
ALTER TABLE student REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS term (
	term_code   char(11)  PRIMARY KEY, -- 2024-2025-1
	starts_on   date      NOT NULL,
	ends_on     date      NOT NULL
);
ALTER TABLE term REPLICA IDENTITY FULL;

CREATE TABLE IF NOT EXISTS aid_grant (
	grant_no      varchar(24)   PRIMARY KEY,
	student_no    varchar(19)   NOT NULL,
	term_code     char(11)      NOT NULL,
	aid_type      char(2)       NOT NULL, -- 01 misc fee exemption, 02 textbook exemption,
	                                      -- 03 tuition exemption, 04 boarding allowance,
	                                      -- 05 key high school, 06 university entry,
	                                      -- 07 university monthly, 08 vocational school
	stage_code    char(2)       NOT NULL,
	amount_yuan   numeric(10,2),
	granted_on    date          NOT NULL,
	batch_no      varchar(16)
);
ALTER TABLE aid_grant REPLICA IDENTITY FULL;
CREATE INDEX IF NOT EXISTS aid_grant_student ON aid_grant (student_no);
