// How ical.js reads an iCalendar file given on standard input.
//
// ical.js is the reader inside many calendar programs (Thunderbird, web calendars). It
// works from the file's own VTIMEZONE rules, not from a time zone database, so it shows
// whether those rules are right. Prints JSON: each event's start as a moment (UTC), and
// each zone's changes of offset as ical.js reads them (the moment, UTC, and the offsets
// before and after, in seconds).
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const zones = calendar.getAllSubcomponents("vtimezone").map((component) => {
  const zone = new ICAL.Timezone(component);
  ICAL.TimezoneService.register(zone);
  return zone;
});
const events = calendar.getAllSubcomponents("vevent").map((component) => ({
  uid: component.getFirstPropertyValue("uid"),
  start: new ICAL.Event(component).startDate.toJSDate().toISOString(),
}));
const moment = (c) =>
  new Date(Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second)).toISOString();
const changes = Object.fromEntries(
  zones.map((zone) => {
    zone.utcOffset(ICAL.Time.now()); // reads the rules into `changes`
    const read = zone.changes.map((c) => ({
      at: moment(c),
      before: c.prevUtcOffset,
      after: c.utcOffset,
    }));
    return [zone.tzid, read];
  }),
);
process.stdout.write(JSON.stringify({ events, changes }));
