"""The Platform panel: the ThingSpace-style operator platform, its callbacks in and out.

Tabs: a composer that sends one device callback through the platform's :class:`Deliverer`; the
outbox (every delivery attempt with its HTTP status and timing); the inbox (what the built-in
listener received); the carrier's lines; the account's listener registrations. The composer
builds messages with the codec's ``compose_message``, as ``mobileplans-sim thingspace send``
does, so every callback type can be sent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from simulator.events import Event
from simulator.thingspace.carrier import CarrierModel, Line
from simulator.thingspace.codec import (
    COMPOSABLE,
    CallbackComposeError,
    CallbackMessage,
    ServiceName,
    compose_message,
    default_fields,
    parse_device_argument,
    parse_field_assignments,
    template_for,
)
from simulator.thingspace.delivery import Deliverer, DeliveryTarget, OutboxEntry
from simulator.thingspace.registrations import (
    SANDBOX_ACCOUNT,
    RegisteredVia,
    Registration,
    RegistrationStore,
)

POLL_MS = 500  # outbox and registrations change on the server loop, which emits no Qt signal
OUTBOX_COLUMNS = (
    "#",
    "state",
    "answer",
    "service",
    "at",
    "attempts / took",
    "target",
    "format",
    "request ID",
)
INBOX_COLUMNS = ("t", "status", "outcome", "service", "devices", "format", "count", "request ID")
LINE_COLUMNS = ("ICCID", "MDN", "MSISDN", "IMEI", "plan", "status", "billing", "promotions")
REGISTRATION_COLUMNS = ("service", "URL", "via", "username")
ANSWER_CHARS = 48
DEVICE_KINDS = ("Mdn", "ICCID", "MSISDN", "IMEI")  # how the composer names the line (§3.1)


def compose(
    service: str, device: str | None, fields_text: str, username: str, password: str
) -> CallbackMessage:
    """The callback the composer sends; raises ``CallbackComposeError`` naming what is wrong.

    ``device`` is ``KIND:ID``; ``fields_text`` has one ``NAME=VALUE`` a line (``RequestId`` too).
    """
    devices = [] if device is None else [parse_device_argument(device, where="Line")]
    lines = (line.strip() for line in fields_text.splitlines())
    fields = parse_field_assignments((line for line in lines if line), where="Field")
    return compose_message(service, devices, fields, username=username, password=password)


def _placeholder(service: str) -> str:
    """The fields *service* is sent with when the box is left empty, one a line."""
    template = template_for(service)
    defaults = default_fields(service)
    lines = [
        f"{f.name}={defaults[f.name]}" if f.name in defaults else f"{f.name}=… ({f.help})"
        for f in template.fields
    ]
    if template.extensible:
        lines.append("any other NAME=VALUE is carried as given")
    lines.append("RequestId=… (optional)")
    return "\n".join(lines)


def _table(columns: tuple[str, ...], name: str, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill_row(
    table: QTableWidget, row: int, values: tuple[str, ...], tooltip: str | None = None
) -> None:
    for column, text in enumerate(values):
        item = QTableWidgetItem(text)
        item.setToolTip(tooltip or text)
        table.setItem(row, column, item)


def _answer(status: int | None, error: str | None) -> str:
    """``HTTP 200``, or the start of the error (the whole of it is the cell's tooltip)."""
    text = f"HTTP {status}" if status is not None else error or ""
    return text if len(text) <= ANSWER_CHARS else text[: ANSWER_CHARS - 1] + "…"


class PlatformPanel(QWidget):
    """Shows and drives the platform; the lead wires it with:

    * ``carrier``: the :class:`CarrierModel` of the operator's lines (listed; composer targets);
    * ``registrations``: the :class:`RegistrationStore`, listed for ``account``;
    * ``deliverer``: the platform's :class:`Deliverer` (its outbox; the composer submits to it);
    * ``listener_url``: the built-in :class:`CallbackListener`'s URL, the composer's default;
    * ``username`` / ``password``: the composer's default credentials (what the built-in
      listener expects, §2.1);
    * ``account``: the platform account whose registrations are shown.

    The app passes each ``thingspace.received`` event to :meth:`add_received` and may call
    :meth:`refresh` on ``thingspace.sent``; the outbox is also polled every :data:`POLL_MS`.
    """

    def __init__(
        self,
        carrier: CarrierModel,
        registrations: RegistrationStore,
        deliverer: Deliverer,
        listener_url: str,
        *,
        username: str = "",
        password: str = "",
        account: str = SANDBOX_ACCOUNT,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._carrier = carrier
        self._registrations = registrations
        self._deliverer = deliverer
        self._account = account
        self._outbox_seen: tuple[tuple[int, str, int], ...] = ()
        self._registrations_seen: list[Registration] | None = None
        self._lines: list[Line] = []

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("platform-tabs")
        self.tabs.addTab(self._build_composer(listener_url, username, password), "Compose")
        self.outbox = QTreeWidget(self)
        self.outbox.setObjectName("platform-outbox")
        self.outbox.setHeaderLabels(OUTBOX_COLUMNS)
        self.outbox.setRootIsDecorated(True)
        self.outbox.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._expanded: set[int] = set()  # outbox entries whose attempts are shown
        self.outbox.itemExpanded.connect(lambda item: self._expanded.add(int(item.text(0))))
        self.outbox.itemCollapsed.connect(lambda item: self._expanded.discard(int(item.text(0))))
        self.tabs.addTab(self.outbox, "Outbox")
        self.inbox = _table(INBOX_COLUMNS, "platform-inbox", self)
        self.tabs.addTab(self.inbox, "Inbox")
        self.lines = _table(LINE_COLUMNS, "platform-lines", self)
        self.tabs.addTab(self.lines, "Lines")
        self.registered = _table(REGISTRATION_COLUMNS, "platform-registrations", self)
        self.tabs.addTab(self.registered, "Registrations")

        heading = QLabel(f"Account {account}", self)
        heading.setObjectName("platform-account")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(heading)
        layout.addWidget(self.tabs)

        self._poll = QTimer(self)
        self._poll.setObjectName("platform-poll")
        self._poll.timeout.connect(self._refresh_outbox)
        self._poll.timeout.connect(self._refresh_registrations)
        self._poll.start(POLL_MS)
        self.refresh()

    # -- composer ----------------------------------------------------------------------------
    def _build_composer(self, listener_url: str, username: str, password: str) -> QWidget:
        page = QWidget(self)
        self.service = QComboBox(page)
        self.service.setObjectName("platform-service")
        for name in COMPOSABLE:
            template = template_for(name)
            label = name if template.verified else f"{name} (unverified)"
            self.service.addItem(label, name)
            self.service.setItemData(
                self.service.count() - 1, template.summary(), Qt.ItemDataRole.ToolTipRole
            )
        self.service.setCurrentIndex(self.service.findData(ServiceName.PROMO_CHANGES.value))
        self.service.currentIndexChanged.connect(self._service_changed)
        self.line = QComboBox(page)
        self.line.setObjectName("platform-line")
        self.device_kind = QComboBox(page)
        self.device_kind.setObjectName("platform-device-kind")
        self.device_kind.setToolTip("Which identifier of the line the callback carries")
        self.device_kind.addItems(DEVICE_KINDS)
        # Long entries (an MDN and a plan) must not widen the side panel: they elide.
        for combo in (self.service, self.line):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(14)
        device_row = QHBoxLayout()
        device_row.addWidget(self.line, 1)
        device_row.addWidget(self.device_kind)
        self.url = QLineEdit(listener_url, page)
        self.url.setObjectName("platform-url")
        self.format = QComboBox(page)
        self.format.setObjectName("platform-format")
        self.format.addItem("SOAP", RegisteredVia.SOAP.value)
        self.format.addItem("REST", RegisteredVia.REST.value)
        self.username = QLineEdit(username, page)
        self.username.setObjectName("platform-username")
        self.password = QLineEdit(password, page)
        self.password.setObjectName("platform-password")
        self.password.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.fields = QPlainTextEdit(page)
        self.fields.setObjectName("platform-fields")
        self.fields.setTabChangesFocus(True)
        self.send = QPushButton("Send callback", page)
        self.send.setObjectName("platform-send")
        self.send.clicked.connect(self._send)
        self.status = QLabel(page)
        self.status.setObjectName("platform-status")
        self.status.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("Service", self.service)
        form.addRow("Line", device_row)
        form.addRow("Listener URL", self.url)
        form.addRow("Format", self.format)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow("Fields", self.fields)
        form.addRow("", self.send)
        form.addRow(self.status)
        self._service_changed()
        return page

    def _service_changed(self) -> None:
        service = str(self.service.currentData())
        self.service.setToolTip(template_for(service).summary())
        self.fields.setPlaceholderText(_placeholder(service))

    def _device(self) -> str | None:
        iccid = self.line.currentData()
        line = next((line for line in self._lines if str(line.iccid) == iccid), None)
        if line is None:
            return None
        kind = self.device_kind.currentText()
        value = {"Mdn": line.mdn, "ICCID": line.iccid, "MSISDN": line.msisdn, "IMEI": line.imei}
        chosen = value.get(kind)
        return None if chosen is None else f"{kind}:{chosen}"

    def _send(self) -> None:
        url = self.url.text().strip()
        if not url:
            self.status.setText("Give the listener URL to send to.")
            return
        try:
            message = compose(
                str(self.service.currentData()),
                self._device(),
                self.fields.toPlainText(),
                self.username.text(),
                self.password.text(),
            )
        except CallbackComposeError as error:
            self.status.setText(f"Not sent: {error}")
            return
        via = RegisteredVia(self.format.currentData())
        target = DeliveryTarget(url, via, self.username.text(), self.password.text())
        entries = self._deliverer.submit(target, [message])
        ids = ", ".join(f"#{entry.id}" for entry in entries)
        self.status.setText(f"Queued {ids} (RequestId {message.request_id}) for {url}.")
        self._refresh_outbox()

    # -- reading -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        # The stores it polls may close right after the panel does (tests, the app's shutdown).
        self._poll.stop()
        super().closeEvent(event)

    def refresh(self) -> None:
        """Re-read the lines, the registrations and the outbox (quick local reads)."""
        self._refresh_lines()
        self._refresh_registrations()
        self._refresh_outbox()

    def add_received(self, event: Event) -> None:
        """Show one ``thingspace.received`` event; the listener may have changed a line."""
        fields = event.fields
        outcome = str(fields.get("outcome") or "")
        if fields.get("applied"):
            outcome += " (applied)"
        if fields.get("duplicate"):
            outcome += " (duplicate)"
        row = self.inbox.rowCount()
        self.inbox.insertRow(row)
        devices = fields.get("devices") or []
        count = fields.get("callback_count")
        _fill_row(
            self.inbox,
            row,
            (
                f"{event.t:.1f}",
                str(fields.get("status", "")),
                outcome,
                str(fields.get("service") or ""),
                " ".join(str(d) for d in devices),
                str(fields.get("format", "")),
                "" if count is None else str(count),
                str(fields.get("request_id") or ""),
            ),
            tooltip=str(fields.get("message") or "") or None,  # why a callback was refused
        )
        self.inbox.scrollToBottom()
        self.tabs.setTabText(self.tabs.indexOf(self.inbox), f"Inbox ({row + 1})")
        self._refresh_lines()

    def _refresh_lines(self) -> None:
        self._lines = self._carrier.lines()
        self.lines.setRowCount(len(self._lines))
        for row, line in enumerate(self._lines):
            promotions = ", ".join(
                f"{p.code} to {p.ends_on:%Y-%m-%d}{' (reported)' if p.reported else ''}"
                for p in line.promotions
            )
            values = (str(line.iccid), str(line.mdn), str(line.msisdn), str(line.imei or ""))
            extra = (line.plan, line.status.value, line.billing.describe(), promotions)
            _fill_row(self.lines, row, values + extra)
        self.tabs.setTabText(self.tabs.indexOf(self.lines), f"Lines ({len(self._lines)})")
        chosen = self.line.currentData()
        self.line.blockSignals(True)
        self.line.clear()
        self.line.addItem("(no device)", None)
        for line in self._lines:
            self.line.addItem(
                f"MDN {line.mdn} · {line.plan} · {line.status.value}", str(line.iccid)
            )
        index = self.line.findData(chosen) if chosen is not None else -1
        self.line.setCurrentIndex(index if index >= 0 else min(1, self.line.count() - 1))
        self.line.blockSignals(False)

    def _refresh_registrations(self) -> None:
        found = self._registrations.for_account(self._account)
        if found == self._registrations_seen:
            return
        self._registrations_seen = found
        self.registered.setRowCount(len(found))
        for row, registration in enumerate(found):
            values = (registration.service.value, registration.url, registration.via.value)
            _fill_row(self.registered, row, (*values, registration.username))
        self.tabs.setTabText(self.tabs.indexOf(self.registered), f"Registrations ({len(found)})")

    def _refresh_outbox(self) -> None:
        entries = self._deliverer.outbox()
        seen = tuple((e.id, e.state.value, len(e.attempts)) for e in entries)
        if seen == self._outbox_seen:
            return
        self._outbox_seen = seen
        self.outbox.clear()
        for entry in entries:
            item = self._outbox_item(entry)
            self.outbox.addTopLevelItem(item)
            item.setExpanded(entry.id in self._expanded)
        self.outbox.scrollToBottom()
        self.tabs.setTabText(self.tabs.indexOf(self.outbox), f"Outbox ({len(entries)})")

    @staticmethod
    def _outbox_item(entry: OutboxEntry) -> QTreeWidgetItem:
        attempts = list(entry.attempts)  # appended to on the server loop
        last = attempts[-1] if attempts else None
        service = entry.message.service
        copy = f" (copy of #{entry.duplicate_of})" if entry.duplicate_of else ""
        item = QTreeWidgetItem(
            [
                str(entry.id),
                entry.state.value + copy,
                "" if last is None else _answer(last.status, last.error),
                "" if service is None else service.value,
                "" if entry.first_at is None else f"t={entry.first_at:.1f}",
                f"{len(attempts)} attempt{'s' if len(attempts) != 1 else ''}",
                entry.target.url,
                entry.target.via.value,
                entry.request_id or "",
            ]
        )
        item.setToolTip(2, "" if last is None else last.error or "")
        for attempt in attempts:
            child = QTreeWidgetItem(
                [
                    f"#{attempt.number}" + (" (resend)" if attempt.manual else ""),
                    "acknowledged" if attempt.acknowledged else "failed",
                    _answer(attempt.status, attempt.error),
                    "",
                    f"t={attempt.at:.1f}",
                    f"{attempt.elapsed * 1000:.0f} ms",
                ]
            )
            child.setToolTip(2, attempt.error or "")
            item.addChild(child)
        return item
