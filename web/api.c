#include "api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventline.h"
#include "idnum.h"
#include "money.h"
#include "pbjson.h"
#include "ymd.h"

#define SIMULATE_MAX_EVENTS 1000 /* assistd's limit too */
#define RECENT_ALERTS 50
#define RECENT_WINDOW 5000       /* the feed sequences searched for them */

/* The reply's body (the oneof member set), or NULL. */
static const ProtobufCMessage *body_of(const Assist__Reply *r)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field(&assist__reply__descriptor, r->body_case);

	return f != NULL ? *(const ProtobufCMessage **)((const char *)r + f->offset) : NULL;
}

/* Ask req and take the reply's body as JSON: the JSON, or NULL with the
 * response queued in *res. */
static json_t *ask_json(struct web_request *rq, Assist__Request *req,
			Assist__Reply__BodyCase want, enum MHD_Result *res)
{
	Assist__Reply *reply;
	json_t *j = NULL;

	if (gateway_query(rq, req, &reply, res) < 0)
		return NULL;
	if (reply->body_case == want && body_of(reply) != NULL)
		j = pbjson_encode(body_of(reply), PBJSON_EMIT_DEFAULTS);
	assist__reply__free_unpacked(reply, NULL);
	if (j == NULL)
		*res = gateway_error(rq, MHD_HTTP_BAD_GATEWAY, "unexpected reply from assistd");
	return j;
}

static enum MHD_Result answer(struct web_request *rq, Assist__Request *req,
			      Assist__Reply__BodyCase want)
{
	enum MHD_Result res;
	json_t *j = ask_json(rq, req, want, &res);

	return j != NULL ? gateway_json(rq, MHD_HTTP_OK, j) : res;
}

/* ?key=YYYY-MM-DD into *out ("" when absent): true, or false with a 400 queued. */
static bool date_arg(struct web_request *rq, const char *key, char **out, enum MHD_Result *res)
{
	const char *v = gateway_arg(rq, key);
	ymd_t d;

	*out = (char *)"";
	if (v == NULL || v[0] == '\0')
		return true;
	if (ymd_parse(v, &d) < 0) {
		*res = gateway_error(rq, MHD_HTTP_BAD_REQUEST, "%s: not a date (YYYY-MM-DD)", key);
		return false;
	}
	*out = (char *)v;
	return true;
}

/* ?year=Y into *out (0 when absent): as date_arg. */
static bool year_arg(struct web_request *rq, int32_t *out, enum MHD_Result *res)
{
	const char *v = gateway_arg(rq, "year");
	char *end;
	long y;

	*out = 0;
	if (v == NULL || v[0] == '\0')
		return true;
	y = strtol(v, &end, 10);
	if (*end != '\0' || y < 1900 || y > 9999) {
		*res = gateway_error(rq, MHD_HTTP_BAD_REQUEST, "year: not a year (1900 to 9999)");
		return false;
	}
	*out = (int32_t)y;
	return true;
}

/* The ID number of the URL's tail: true, or false with a 400 queued. */
static bool id_arg(struct web_request *rq, char id[IDNUM_BUFLEN], enum MHD_Result *res)
{
	int rc = idnum_validate(rq->tail, id, NULL);

	if (rc == 0)
		return true;
	*res = gateway_error(rq, MHD_HTTP_BAD_REQUEST, "id_number: %s", idnum_strerror(rc));
	return false;
}

enum MHD_Result api_record(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__GetRequest get = ASSIST__GET_REQUEST__INIT;
	char id[IDNUM_BUFLEN];
	enum MHD_Result res;

	if (!id_arg(rq, id, &res) || !date_arg(rq, "as_of", &get.as_of, &res) ||
	    !year_arg(rq, &get.year, &res))
		return res;
	get.id_number = id;
	req.body_case = ASSIST__REQUEST__BODY_GET;
	req.get = &get;
	return answer(rq, &req, ASSIST__REPLY__BODY_RECORD);
}

enum MHD_Result api_explain(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ExplainRequest ex = ASSIST__EXPLAIN_REQUEST__INIT;
	char id[IDNUM_BUFLEN];
	enum MHD_Result res;

	if (!id_arg(rq, id, &res))
		return res;
	ex.id_number = id;
	req.body_case = ASSIST__REQUEST__BODY_EXPLAIN;
	req.explain = &ex;
	return answer(rq, &req, ASSIST__REPLY__BODY_EXPLAIN);
}

enum MHD_Result api_funds(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__FundsRequest fr = ASSIST__FUNDS_REQUEST__INIT;
	enum MHD_Result res;

	if (!year_arg(rq, &fr.year, &res))
		return res;
	req.body_case = ASSIST__REQUEST__BODY_FUNDS;
	req.funds = &fr;
	return answer(rq, &req, ASSIST__REPLY__BODY_FUNDS);
}

/* The roster request of the query string: true, or false with a 400 queued. */
static bool roster_args(struct web_request *rq, Assist__RosterRequest *rr, enum MHD_Result *res)
{
	const char *scheme = gateway_arg(rq, "scheme");
	const char *place = gateway_arg(rq, "place");
	int v = 0;

	if (scheme != NULL && scheme[0] != '\0' &&
	    pbjson_enum_value(&assist__scheme__descriptor, scheme, &v) < 0) {
		*res = gateway_error(rq, MHD_HTTP_BAD_REQUEST, "scheme: no scheme \"%s\"", scheme);
		return false;
	}
	rr->scheme = (Assist__Scheme)v;
	rr->place = (char *)(place != NULL ? place : "");
	return date_arg(rq, "as_of", &rr->as_of, res);
}

enum MHD_Result api_roster(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__RosterRequest rr = ASSIST__ROSTER_REQUEST__INIT;
	enum MHD_Result res;

	if (!roster_args(rq, &rr, &res))
		return res;
	req.body_case = ASSIST__REQUEST__BODY_ROSTER;
	req.roster = &rr;
	return answer(rq, &req, ASSIST__REPLY__BODY_ROSTER);
}

/* ---- summary -------------------------------------------------------------- */

static json_t *report_json(struct web_request *rq, Assist__ReportKind kind, Assist__ReportBy by,
			   enum MHD_Result *res)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReportRequest rr = ASSIST__REPORT_REQUEST__INIT;

	rr.kind = kind;
	rr.by = by;
	req.body_case = ASSIST__REQUEST__BODY_REPORT;
	req.report = &rr;
	return ask_json(rq, &req, ASSIST__REPLY__BODY_REPORT, res);
}

/* {"code": count} of the alerts report's rows (the total left out). */
static json_t *alerts_by_code(json_t *report)
{
	json_t *out = json_object(), *row;
	size_t i;

	json_array_foreach(json_object_get(report, "rows"), i, row) {
		const char *code = json_string_value(json_object_get(row, "code"));
		if (code != NULL && code[0] != '\0')
			json_object_set(out, code, json_object_get(row, "value"));
	}
	return out;
}

/* The last RECENT_ALERTS alert messages among the feed's last RECENT_WINDOW
 * sequences, oldest first; NULL with the response queued. */
static json_t *recent_alerts(struct web_request *rq, uint64_t feed_seq, enum MHD_Result *res)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__ReplayRequest rp = ASSIST__REPLAY_REQUEST__INIT;
	json_t *page, *msgs, *recent;
	size_t n;

	rp.from_seq = feed_seq > RECENT_WINDOW ? feed_seq - RECENT_WINDOW : 1;
	rp.topic_prefix = (char *)"alert/";
	rp.limit = RECENT_WINDOW;
	req.body_case = ASSIST__REQUEST__BODY_REPLAY;
	req.replay = &rp;
	if ((page = ask_json(rq, &req, ASSIST__REPLY__BODY_REPLAY, res)) == NULL)
		return NULL;
	msgs = json_object_get(page, "messages");
	recent = json_array();
	n = json_array_size(msgs);
	for (size_t i = n > RECENT_ALERTS ? n - RECENT_ALERTS : 0; i < n; i++)
		json_array_append(recent, json_array_get(msgs, i));
	json_decref(page);
	return recent;
}

/* Set key of obj to part (taken): false when part is NULL (a query failed). */
static bool put(json_t *obj, const char *key, json_t *part)
{
	return part != NULL && json_object_set_new(obj, key, part) == 0;
}

static json_t *status_json(struct web_request *rq, enum MHD_Result *res)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__StatusRequest st = ASSIST__STATUS_REQUEST__INIT;
	json_t *j;

	req.body_case = ASSIST__REQUEST__BODY_STATUS;
	req.status = &st;
	if ((j = ask_json(rq, &req, ASSIST__REPLY__BODY_STATUS, res)) != NULL)
		json_object_del(j, "feed_endpoint"); /* of no use to a browser */
	return j;
}

static json_t *funds_json(struct web_request *rq, enum MHD_Result *res)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__FundsRequest fr = ASSIST__FUNDS_REQUEST__INIT;

	req.body_case = ASSIST__REQUEST__BODY_FUNDS;
	req.funds = &fr;
	return ask_json(rq, &req, ASSIST__REPLY__BODY_FUNDS, res);
}

enum MHD_Result api_summary(struct web_request *rq)
{
	json_t *out = json_object(), *alerts = json_object(), *status, *codes = NULL;
	enum MHD_Result res;

	json_object_set_new(out, "year", json_integer(ymd_year(ymd_today())));
	if (!put(out, "status", status = status_json(rq, &res)) ||
	    !put(out, "recipients_by_scheme",
		 report_json(rq, ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS,
			     ASSIST__REPORT_BY__REPORT_BY_SCHEME, &res)) ||
	    !put(out, "recipients_by_place",
		 report_json(rq, ASSIST__REPORT_KIND__REPORT_KIND_RECIPIENTS,
			     ASSIST__REPORT_BY__REPORT_BY_PLACE, &res)) ||
	    !put(out, "funds", funds_json(rq, &res)) ||
	    (codes = report_json(rq, ASSIST__REPORT_KIND__REPORT_KIND_ALERTS,
				 ASSIST__REPORT_BY__REPORT_BY_CODE, &res)) == NULL ||
	    !put(alerts, "by_code", alerts_by_code(codes)) ||
	    !put(alerts, "recent",
		 recent_alerts(rq, json_integer_value(json_object_get(status, "feed_seq")), &res)))
		goto fail;
	json_decref(codes);
	json_object_set_new(out, "alerts", alerts);
	return gateway_json(rq, MHD_HTTP_OK, out);
fail:
	json_decref(codes);
	json_decref(alerts);
	json_decref(out);
	return res;
}

/* ---- simulate ------------------------------------------------------------- */

struct whatif {
	Assist__Event *events[SIMULATE_MAX_EVENTS];
	size_t n;
};

static void whatif_free(struct whatif *wi)
{
	for (size_t i = 0; i < wi->n; i++)
		protobuf_c_message_free_unpacked(&wi->events[i]->base, NULL);
}

/* The body's lines as events numbered by line (blank and # lines skipped):
 * NULL, or why not, with the line, in err. */
static const char *whatif_read(struct whatif *wi, char *body, char *err, size_t errlen)
{
	unsigned line = 0;
	char *save = NULL;

	for (char *t = strtok_r(body, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		char why[400];
		line++;
		t += strspn(t, " \t\r");
		t[strcspn(t, "\r")] = '\0';
		if (*t == '\0' || *t == '#')
			continue;
		if (wi->n == SIMULATE_MAX_EVENTS) {
			snprintf(err, errlen, "line %u: more than %d events; simulate a household "
				 "at a time", line, SIMULATE_MAX_EVENTS);
			return err;
		}
		if (eventline_parse(t, &wi->events[wi->n], why, sizeof(why)) < 0) {
			snprintf(err, errlen, "line %u: %s", line, why);
			return err;
		}
		wi->events[wi->n++]->seq = line;
	}
	return wi->n > 0 ? NULL : "body: no event (JSON lines, one event a line)";
}

enum MHD_Result api_simulate(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__SimulateRequest sr = ASSIST__SIMULATE_REQUEST__INIT;
	struct whatif *wi = calloc(1, sizeof(*wi));
	char *body = strdup(rq->body), err[512];
	const char *bad;
	enum MHD_Result res;

	if (wi == NULL || body == NULL) {
		res = MHD_NO;
	} else if ((bad = whatif_read(wi, body, err, sizeof(err))) != NULL) {
		res = gateway_error(rq, MHD_HTTP_BAD_REQUEST, "%s", bad);
	} else if (date_arg(rq, "as_of", &sr.as_of, &res)) {
		sr.events = wi->events;
		sr.n_events = wi->n;
		req.body_case = ASSIST__REQUEST__BODY_SIMULATE;
		req.simulate = &sr;
		res = answer(rq, &req, ASSIST__REPLY__BODY_SIMULATE);
	}
	if (wi != NULL)
		whatif_free(wi);
	free(wi);
	free(body);
	return res;
}

/* ---- the roster page ------------------------------------------------------ */

/* s with &, <, > and " escaped, appended to out. */
static void html_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

static void html_cell(FILE *out, const char *s)
{
	fputs("<td>", out);
	html_text(out, s);
	fputs("</td>", out);
}

static void roster_html(FILE *out, const Assist__RosterReply *rr)
{
	char scheme[48], yuan[32], size[16];

	fputs("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<title>Assistance roster</title><link rel=\"stylesheet\" href=\"/style.css\">"
	      "</head><body><main><h1>Assistance roster</h1><p>Recipients as of ", out);
	html_text(out, rr->as_of);
	fputs(", published for public scrutiny: names and ID numbers are masked.</p>"
	      "<table id=\"roster\"><thead><tr><th>District</th><th>Town</th><th>Community</th>"
	      "<th>Scheme</th><th>Name</th><th>ID number</th><th>Household</th>"
	      "<th>Monthly (yuan)</th><th>Since</th></tr></thead><tbody>", out);
	for (size_t i = 0; i < rr->n_rows; i++) {
		const Assist__RosterRow *r = rr->rows[i];
		const Assist__Place *p = r->place;
		fputs("<tr>", out);
		html_cell(out, p != NULL ? p->district : "");
		html_cell(out, p != NULL ? p->town : "");
		html_cell(out, p != NULL ? p->community : "");
		html_cell(out, pbjson_enum_name(&assist__scheme__descriptor, r->scheme, scheme,
						sizeof(scheme)) ?: "");
		html_cell(out, r->name);
		html_cell(out, r->id_number);
		snprintf(size, sizeof(size), "%" PRId32, r->household_size);
		html_cell(out, size);
		html_cell(out, money_format(r->monthly_fen, yuan, sizeof(yuan)));
		html_cell(out, r->since);
		fputs("</tr>", out);
	}
	fprintf(out, "</tbody></table><p>%zu recipients. <a href=\"/\">Dashboard</a></p>"
		"</main></body></html>\n", rr->n_rows);
}

enum MHD_Result api_roster_page(struct web_request *rq)
{
	Assist__Request req = ASSIST__REQUEST__INIT;
	Assist__RosterRequest rr = ASSIST__ROSTER_REQUEST__INIT;
	Assist__Reply *reply;
	enum MHD_Result res;
	char *html = NULL;
	size_t len = 0;
	FILE *out;

	if (!roster_args(rq, &rr, &res))
		return res;
	req.body_case = ASSIST__REQUEST__BODY_ROSTER;
	req.roster = &rr;
	if (gateway_query(rq, &req, &reply, &res) < 0)
		return res;
	if (reply->body_case != ASSIST__REPLY__BODY_ROSTER || (out = open_memstream(&html, &len)) == NULL) {
		assist__reply__free_unpacked(reply, NULL);
		return gateway_error(rq, MHD_HTTP_BAD_GATEWAY, "unexpected reply from assistd");
	}
	roster_html(out, reply->roster);
	fclose(out);
	assist__reply__free_unpacked(reply, NULL);
	res = gateway_text(rq, MHD_HTTP_OK, "text/html; charset=utf-8", html, len);
	free(html);
	return res;
}
