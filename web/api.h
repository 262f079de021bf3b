/* assist-web's JSON routes, each one or a few queries to assistd whose
 * replies are given as their proto3 JSON (lib/pbjson.h, every field
 * present), and the roster as an HTML page. */
#ifndef WEB_API_H
#define WEB_API_H

#include "gateway.h"

/* GET /api/summary: status, recipients by scheme and by place, this year's
 * funds, alerts by code and the latest alerts of the feed. */
enum MHD_Result api_summary(struct web_request *rq);
/* GET /api/records/ID[?as_of=DATE&year=Y]: the record. */
enum MHD_Result api_record(struct web_request *rq);
/* GET /api/explain/ID: every decision's explanation. */
enum MHD_Result api_explain(struct web_request *rq);
/* POST /api/simulate[?as_of=DATE]: JSON lines in, records out. */
enum MHD_Result api_simulate(struct web_request *rq);
/* GET /api/funds[?year=Y]. */
enum MHD_Result api_funds(struct web_request *rq);
/* GET /api/roster[?scheme=S&place=CODE&as_of=DATE]. */
enum MHD_Result api_roster(struct web_request *rq);
/* GET /roster: the same as an HTML table, for a notice board. */
enum MHD_Result api_roster_page(struct web_request *rq);

#endif
