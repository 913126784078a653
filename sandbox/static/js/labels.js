// Words for the API's codes, shared by the pages: Wink's entity types.

import { _ } from "./i18n.js";

/** "TRAVEL_AGENT" -> "Travel agent" / "Agente de viagens" (the templates use sandbox.ui's same words). */
export function entityTypeLabel(type) {
  const labels = {
    HOTEL: _("Hotel"), TRAVEL_AGENT: _("Travel agent"), INFLUENCER: _("Influencer"),
    CHANNEL_MANAGER: _("Channel manager"), AFFILIATE: _("Affiliate"), TOUR_OPERATOR: _("Tour operator"),
    CORPORATE: _("Corporate"), SUPPLIER: _("Supplier"), WINK: _("Wink"),
  };
  const text = String(type || "");
  return labels[text] || text.replace(/_/g, " ").toLowerCase().replace(/^./, (c) => c.toUpperCase());
}

/** Wink's event categories ("Managing entity" -> "Entidade gestora"); an unknown one as it is. */
export function categoryLabel(category) {
  const labels = {
    "Managing entity": _("Managing entity"), Inventory: _("Inventory"), Booking: _("Booking"),
    Property: _("Property"), Account: _("Account"), "Booking contract": _("Booking contract"),
    "Special rate": _("Special rate"), Payee: _("Payee"), Payment: _("Payment"),
    "Sales channel": _("Sales channel"), "Channel manager": _("Channel manager"), Ledger: _("Ledger"),
    Email: _("Email"), Other: _("Other"),
  };
  return labels[category] || category;
}

/** An event type's label or description from the API, in the page's language (the catalog's texts are
 * in messages.po, see sandbox/i18n/messages.py catalog_texts); a text it does not know as it is. */
export function eventText(text) {
  return text ? _(text) : text;
}
