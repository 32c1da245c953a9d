import { Component, markup, onWillStart, useState } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/core/utils/numbers";
import { escape } from "@web/core/utils/strings";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const NODE_WIDTH = 180;
const NODE_HEIGHT = 100;
const NODE_GAP = 50;
const MARGIN = 30;
const BASELINE = 190;
const NBSP = "\u00a0";

/**
 * The process map: the steps of a process as the records lived them (nodes), the
 * moves between steps that really happened (edges, drawn by what the design says of
 * them), the variants and the conformance. All figures come from one call,
 * guide.process.get_process_map; the records behind a node, an edge or a variant
 * open in the guided model's list, under its record rules.
 */
export class ProcessMap extends Component {
    static template = "base_process_intelligence.ProcessMap";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        const params = this.props.action.params || {};
        this.modelName = params.model_name || false;
        this.state = useState({
            data: null,
            processId: params.process_id || false,
            filters: { date_from: "", date_to: "", team_id: "", user_id: "", version_id: "" },
            loading: true,
        });
        onWillStart(() => this.load());
    }

    get filters() {
        const filters = {};
        for (const [key, value] of Object.entries(this.state.filters)) {
            if (value) {
                filters[key] = key.endsWith("_id") ? parseInt(value) : value;
            }
        }
        return filters;
    }

    async load() {
        this.state.loading = true;
        const data = await this.orm.call(
            "guide.process",
            "get_process_map",
            [this.state.processId || false, this.filters],
            { model_name: this.modelName }
        );
        this.state.data = data;
        this.state.processId = data.process ? data.process.id : false;
        this.state.loading = false;
    }

    async refresh() {
        await this.orm.call("guide.step.visit", "action_pi_refresh", []);
        await this.load();
    }

    onProcessChange(ev) {
        this.state.processId = parseInt(ev.target.value) || false;
        // the versions are the chosen process's
        this.state.filters.version_id = "";
        this.load();
    }

    async onFilterChange(key, ev) {
        const previous = this.state.filters[key];
        this.state.filters[key] = ev.target.value;
        try {
            await this.load();
        } catch (error) {
            // refused (a period ending before it starts): the filter shown is the one
            // of the figures shown
            this.state.filters[key] = previous;
            ev.target.value = previous;
            this.state.loading = false;
            throw error;
        }
    }

    async openRecords(kwargs) {
        const action = await this.orm.call(
            "guide.process",
            "action_pi_open_records",
            [this.state.processId, this.filters],
            kwargs
        );
        // the server's help is HTML (what an empty list says), as an action's help read
        // from the database
        if (action.help) {
            action.help = markup(action.help);
        }
        return this.actionService.doAction(action);
    }

    // ------------------------------------------------------------------
    // Layout
    // ------------------------------------------------------------------
    get nodes() {
        const data = this.state.data;
        if (!data || !data.nodes) {
            return [];
        }
        return data.nodes.map((node, index) => ({
            ...node,
            x: MARGIN + index * (NODE_WIDTH + NODE_GAP),
            y: BASELINE - NODE_HEIGHT / 2,
            health: this.health(node),
        }));
    }

    get nodeWidth() {
        return NODE_WIDTH;
    }

    get nodeHeight() {
        return NODE_HEIGHT;
    }

    get svgWidth() {
        return Math.max(600, MARGIN * 2 + this.nodes.length * (NODE_WIDTH + NODE_GAP) - NODE_GAP);
    }

    get svgHeight() {
        return BASELINE * 2;
    }

    health(node) {
        if (!node.visits) {
            return "empty";
        }
        if (node.overdue_share >= 0.3) {
            return "bad";
        }
        return node.overdue_share >= 0.1 ? "warn" : "good";
    }

    get edges() {
        const nodes = Object.fromEntries(this.nodes.map((node) => [node.id, node]));
        const edges = (this.state.data && this.state.data.edges) || [];
        const max = Math.max(1, ...edges.map((edge) => edge.count));
        return edges
            .filter((edge) => nodes[edge.source] && nodes[edge.target])
            .map((edge) => {
                const source = nodes[edge.source];
                const target = nodes[edge.target];
                const forward = target.sequence > source.sequence;
                const adjacent = Math.abs(target.sequence - source.sequence) === 1;
                let x1, y1, x2, y2, cx, cy;
                if (forward && adjacent) {
                    x1 = source.x + NODE_WIDTH;
                    x2 = target.x;
                    y1 = y2 = cy = BASELINE;
                    cx = (x1 + x2) / 2;
                } else {
                    const distance = Math.abs(target.sequence - source.sequence);
                    const lift = 40 + 28 * distance;
                    // forward jumps above the steps, backward moves below
                    const side = forward ? -1 : 1;
                    x1 = source.x + NODE_WIDTH / 2 + (forward ? 12 : -12);
                    x2 = target.x + NODE_WIDTH / 2 + (forward ? -12 : 12);
                    y1 = y2 = BASELINE + (side * NODE_HEIGHT) / 2;
                    cx = (x1 + x2) / 2;
                    cy = Math.max(10, Math.min(this.svgHeight - 10, y1 + side * lift * 2));
                }
                const labelX = 0.25 * x1 + 0.5 * cx + 0.25 * x2;
                const labelY = 0.25 * y1 + 0.5 * cy + 0.25 * y2;
                return {
                    ...edge,
                    key: `${edge.source}-${edge.target}`,
                    d: `M ${x1} ${y1} Q ${cx} ${cy} ${x2} ${y2}`,
                    width: 1.5 + (6 * edge.count) / max,
                    labelX,
                    labelY: labelY - 4,
                    title: this.edgeTitle(edge, source, target),
                };
            });
    }

    edgeTitle(edge, source, target) {
        const values = {
            source: source.name,
            target: target.name,
            count: this.number(edge.count),
            kind: this.kindLabel(edge.kind),
        };
        if (edge.median_hours === false || edge.median_hours === undefined) {
            return _t("%(source)s → %(target)s: %(count)s (%(kind)s)", values);
        }
        return _t(
            "%(source)s → %(target)s: %(count)s (%(kind)s), median time in the alternate step: %(time)s",
            { ...values, time: this.hours(edge.median_hours) }
        );
    }

    kindLabel(kind) {
        return (
            {
                designed: _t("as designed"),
                skip: _t("skips steps"),
                not_allowed: _t("not allowed by the design"),
                backward: _t("backward"),
                detour: _t("detour"),
                override: _t("override"),
            }[kind] || kind
        );
    }

    // ------------------------------------------------------------------
    // Formatting
    // ------------------------------------------------------------------
    // numbers in the user's localization (decimal point, thousands separator)
    number(value, decimals = 0) {
        if (value === null || value === undefined || value === false) {
            return "–";
        }
        return formatFloat(value, { digits: [false, decimals] });
    }

    hours(value) {
        if (value === null || value === undefined || value === false) {
            return "–";
        }
        const text =
            value >= 48
                ? _t("%(days)s d", { days: this.number(value / 24, 1) })
                : _t("%(hours)s h", { hours: this.number(value, 1) });
        // a duration is never split over two lines
        return text.replaceAll(" ", NBSP);
    }

    percent(value) {
        if (value === null || value === undefined || value === false) {
            return "–";
        }
        return `${this.number(value * 100)} %`;
    }

    // ------------------------------------------------------------------
    // Sentences: one translatable text each, with named placeholders, so that a
    // translation may reorder them
    // ------------------------------------------------------------------
    get dataAsOf() {
        // stored in UTC: shown in the user's time zone and date format, as Odoo's fields
        const time = formatDateTime(deserializeDateTime(this.state.data.refreshed_at));
        return _t("Data as of %(time)s", { time });
    }

    nodeVisits(node) {
        return _t("%(count)s visits", { count: this.number(node.visits) });
    }

    nodeTimes(node) {
        const values = { median: this.hours(node.median_hours), p90: this.hours(node.p90_hours) };
        if (!node.expected_hours) {
            return _t("%(median)s / %(p90)s", values);
        }
        // a long line wraps before the expected time, not within it
        return _t("%(median)s / %(p90)s (≤ %(expected)s)", {
            ...values,
            expected: this.hours(node.expected_hours),
        }).replaceAll("≤ ", `≤${NBSP}`);
    }

    nodeDropped(node) {
        return _t("%(count)s dropped out", { count: this.number(node.dropped) });
    }

    get conformanceSentence() {
        const conformance = this.state.data.conformance;
        const share = escape(this.percent(conformance.share));
        return _t("%(share)s of %(count)s records followed the designed process.", {
            share: markup(`<span class="fs-3 fw-bold me-2">${share}</span>`),
            count: this.number(conformance.records),
        });
    }

    milestoneReached(milestone) {
        return _t("%(count)s (%(share)s)", {
            count: this.number(milestone.reached),
            share: this.percent(milestone.share),
        });
    }

    get variantsTitle() {
        const paths = escape(
            _t("(%(count)s distinct paths)", { count: this.number(this.state.data.variant_count) })
        );
        return _t("Variants %(paths)s", {
            paths: markup(`<small class="text-muted">${paths}</small>`),
        });
    }

    get successRateTitle() {
        return _t("%(outcome)s rate", { outcome: this.state.data.outcome_labels.success });
    }

    nodeTitle(node) {
        return [
            node.name,
            _t("Visits: %(n)s", { n: this.number(node.visits) }),
            _t("Median / 90th percentile: %(median)s / %(p90)s (expected %(expected)s)", {
                median: this.hours(node.median_hours),
                p90: this.hours(node.p90_hours),
                expected: node.expected_hours ? this.hours(node.expected_hours) : "–",
            }),
            _t("Overdue: %(share)s", { share: this.percent(node.overdue_share) }),
            _t("Overrides: %(rate)s", { rate: this.percent(node.override_rate) }),
            _t("Backward: %(n)s, dropped out: %(d)s", {
                n: this.number(node.backward),
                d: this.number(node.dropped),
            }),
        ].join("\n");
    }
}

registry.category("actions").add("base_process_intelligence.process_map", ProcessMap);
