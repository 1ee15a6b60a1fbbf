// Validates SCIM responses of the portal with SCIMMY, an implementation of
// RFC 7643 and RFC 7644 independent of the portal.
//
//   node check.js FILE
//
// FILE holds a JSON array of the responses a test run received:
//   [{"source": "GET /scim/v2/Users?count=2", "status": 200, "partial": false, "body": {...}}, ...]
// "partial" marks an answer to a request naming attributes or
// excludedAttributes, which may leave out attributes the schema requires.
//
// Each body is checked by what its "schemas" say it is:
//   - a User (urn:ietf:params:scim:schemas:core:2.0:User): coerced with
//     SCIMMY's User schema definition (RFC 7643 section 4.1), extended with the
//     CareConnect extension as the portal describes it at /Schemas, so the
//     extension's values are checked against their declared types too;
//   - a ListResponse (RFC 7644 section 3.4.2): its shape, by SCIMMY's
//     ListResponse message and the RFC's rules, and each User in it;
//   - an Error (RFC 7644 section 3.12): its shape, and by SCIMMY's
//     ErrorResponse message (status and scimType pairs) when the status is
//     one of the RFC's table (405 and 429 are plain HTTP statuses SCIMMY's
//     table leaves out: their shape is checked here).
// Other documents (ServiceProviderConfig, Schema, ResourceType) are counted
// and left alone. Exits 1, listing every failure, when any check fails.
import {readFileSync} from "node:fs";
import SCIMMY from "scimmy";

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const EXTENSION = "urn:ietf:params:scim:schemas:extension:careconnect:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const SCIMMY_STATUSES = [307, 308, 400, 401, 403, 404, 409, 412, 413, 500, 501];

const file = process.argv[2];
if (!file) {
    console.error("usage: node check.js FILE");
    process.exit(2);
}
const records = JSON.parse(readFileSync(file, "utf8"));
const failures = [];
const counts = {User: 0, ListResponse: 0, Error: 0, other: 0};
const fail = (rec, msg) => failures.push(`${rec.source} (${rec.status}): ${msg}`);

// The extension as the portal publishes it, turned into SCIMMY attributes.
function attributeOf(d) {
    const config = {
        multiValued: !!d.multiValued, required: !!d.required, caseExact: !!d.caseExact,
        mutable: ({readOnly: false, readWrite: true})[d.mutability ?? "readWrite"] ?? d.mutability,
        returned: ({default: true, never: false})[d.returned ?? "default"] ?? d.returned,
        uniqueness: d.uniqueness ?? "none",
        ...(d.canonicalValues?.length ? {canonicalValues: d.canonicalValues} : {}),
        ...(d.referenceTypes?.length ? {referenceTypes: d.referenceTypes} : {}),
        ...(d.description ? {description: d.description} : {}),
    };
    return new SCIMMY.Types.Attribute(d.type, d.name, config, (d.subAttributes ?? []).map(attributeOf));
}
let extension;
for (const rec of records) {
    const docs = rec.body?.schemas?.includes(LIST) ? rec.body.Resources ?? [] : [rec.body];
    const ext = docs.find(d => d?.schemas?.includes(SCHEMA) && d.id === EXTENSION);
    if (ext && !extension) {
        extension = new SCIMMY.Types.SchemaDefinition(ext.name, ext.id, ext.description ?? "", ext.attributes.map(attributeOf));
    }
}

// A User definition of our own: SCIMMY's core attributes, plus the extension.
const core = SCIMMY.Schemas.User.definition;
const builtIn = ["schemas", "id", "externalId", "meta"];
function userDefinition(partial) {
    const attrs = core.attributes.filter(a => a instanceof SCIMMY.Types.Attribute && !builtIn.includes(a.name))
        .filter(a => !(partial && a.config.required));
    const def = new SCIMMY.Types.SchemaDefinition(core.name, core.id, core.description, attrs);
    if (extension) def.extend(extension, false);
    return def;
}
const full = userDefinition(false), partial = userDefinition(true);

function checkUser(rec, user, where) {
    counts.User++;
    try {
        if (typeof user?.id !== "string" || user.id === "") throw new TypeError("id must be a non-empty string");
        const unknown = Object.keys(user).filter(k => k.startsWith("urn:") && !user.schemas?.includes(k));
        if (unknown.length) throw new TypeError(`extension ${unknown.join(", ")} is not named in schemas`);
        if (user.schemas?.[0] !== USER) throw new TypeError(`schemas must start with ${USER}`);
        if (user.meta !== undefined && user.meta.resourceType !== "User") throw new TypeError(`meta.resourceType is ${JSON.stringify(user.meta?.resourceType)}`);
        (rec.partial ? partial : full).coerce(user, "out");
    } catch (e) {
        fail(rec, `${where}: ${e.message}`);
    }
}

function checkList(rec, body) {
    counts.ListResponse++;
    try {
        if (body.schemas.length !== 1) throw new TypeError(`schemas must be exactly [${LIST}]`);
        for (const k of ["totalResults", "startIndex", "itemsPerPage"]) {
            if (!Number.isInteger(body[k]) || body[k] < (k === "startIndex" ? 1 : 0)) throw new TypeError(`${k} must be a ${k === "startIndex" ? "positive" : "non-negative"} integer, got ${JSON.stringify(body[k])}`);
        }
        if (body.totalResults > 0 && body.itemsPerPage > 0 && !Array.isArray(body.Resources)) throw new TypeError("Resources is missing");
        if (body.Resources !== undefined && !Array.isArray(body.Resources)) throw new TypeError("Resources must be an array");
        const resources = body.Resources ?? [];
        if (resources.length !== body.itemsPerPage) throw new TypeError(`itemsPerPage ${body.itemsPerPage} but ${resources.length} Resources`);
        if (resources.length > body.totalResults) throw new TypeError(`${resources.length} Resources but totalResults ${body.totalResults}`);
        // SCIMMY reads the message back (as a client would).
        const parsed = new SCIMMY.Messages.ListResponse(body);
        if (parsed.totalResults !== body.totalResults || parsed.startIndex !== body.startIndex || parsed.Resources.length !== resources.length)
            throw new TypeError("SCIMMY reads the message differently");
    } catch (e) {
        fail(rec, `ListResponse: ${e.message}`);
        return;
    }
    body.Resources?.forEach((r, i) => {
        if (r?.schemas?.includes(USER)) checkUser(rec, r, `Resources[${i}]`);
    });
}

function checkError(rec, body) {
    counts.Error++;
    try {
        if (body.schemas.length !== 1) throw new TypeError(`schemas must be exactly [${ERROR}]`);
        if (typeof body.status !== "string" || !/^[1-5]\d\d$/.test(body.status)) throw new TypeError(`status must be the HTTP status as a string, got ${JSON.stringify(body.status)}`);
        if (Number(body.status) !== rec.status) throw new TypeError(`status ${body.status} but the HTTP status is ${rec.status}`);
        if (body.detail !== undefined && typeof body.detail !== "string") throw new TypeError("detail must be a string");
        const known = Object.keys(body).filter(k => !["schemas", "status", "scimType", "detail"].includes(k));
        if (known.length) throw new TypeError(`unexpected attributes ${known.join(", ")}`);
        if (SCIMMY_STATUSES.includes(rec.status)) {
            const e = new SCIMMY.Messages.ErrorResponse({status: rec.status, scimType: body.scimType, detail: body.detail});
            if (e.status !== body.status || (e.scimType ?? undefined) !== (body.scimType ?? undefined)) throw new TypeError("SCIMMY reads the message differently");
        } else if (body.scimType !== undefined) {
            throw new TypeError(`scimType ${body.scimType} on status ${body.status}`);
        }
    } catch (e) {
        fail(rec, `Error: ${e.message}`);
    }
}

for (const rec of records) {
    const body = rec.body;
    if (body === null || typeof body !== "object" || Array.isArray(body) || !Array.isArray(body.schemas)) {
        fail(rec, "not a SCIM document (no schemas array)");
        continue;
    }
    if (body.schemas.includes(LIST)) checkList(rec, body);
    else if (body.schemas.includes(ERROR)) checkError(rec, body);
    else if (body.schemas.includes(USER)) checkUser(rec, body, "User");
    else counts.other++;
}

const summary = `${records.length} responses: ${counts.User} Users, ${counts.ListResponse} ListResponses, ${counts.Error} Errors, ${counts.other} others` +
    (extension ? "" : " (extension not checked: no /Schemas answer among them)");
if (failures.length) {
    console.error(`scimcheck: ${failures.length} failures in ${summary}`);
    for (const f of failures.slice(0, 200)) console.error("  " + f);
    process.exit(1);
}
console.log(`scimcheck (SCIMMY ${JSON.parse(readFileSync(new URL("./node_modules/scimmy/package.json", import.meta.url), "utf8")).version}): ${summary}: all valid`);
