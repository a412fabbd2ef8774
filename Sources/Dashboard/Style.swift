/// The one stylesheet of the dashboard (no external assets).
enum Style {
    static let css = """
        :root { --bg:#f5f6f8; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e3e6eb; --ok:#1f9d55; --warn:#d98b00; --bad:#d64545; --accent:#2563eb; }
        * { box-sizing:border-box; }
        body { margin:0; font:15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
        header { display:flex; align-items:center; gap:24px; padding:12px 28px; background:#111827; color:#fff; }
        header .brand { font-weight:700; font-size:18px; letter-spacing:.3px; }
        header nav a, header a.raw { color:#cbd5e1; text-decoration:none; margin-right:18px; }
        header nav a.active, header nav a:hover { color:#fff; border-bottom:2px solid #60a5fa; padding-bottom:2px; }
        header a.raw { margin-left:auto; font-family:ui-monospace, monospace; font-size:13px; }
        main { padding:22px 28px; max-width:1400px; }
        h1 { font-size:22px; margin:0 0 14px; } h2 { font-size:17px; margin:22px 0 10px; }
        td .mono { white-space:nowrap; }
        .muted { color:var(--muted); } .mono { font-family:ui-monospace, SFMono-Regular, Menlo, monospace; font-size:13px; }
        .summary { display:flex; gap:14px; flex-wrap:wrap; margin-bottom:18px; }
        .summary div { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px 16px; min-width:150px; }
        .summary b { display:block; font-size:20px; }
        .grid { display:grid; grid-template-columns:repeat(auto-fill, minmax(290px, 1fr)); gap:12px; }
        .summary a { text-decoration:none; }
        .card { background:var(--card); border:1px solid var(--line); border-left:6px solid var(--ok); border-radius:8px; padding:12px 14px; color:inherit; text-decoration:none; display:block; }
        .card:hover { box-shadow:0 2px 8px rgba(0,0,0,.08); }
        .card .name { font-weight:600; } .card .host { color:var(--muted); font-size:13px; }
        .card .value { font-size:24px; font-weight:700; margin:4px 0; } .card .value small { font-size:14px; color:var(--muted); font-weight:400; }
        table { border-collapse:collapse; background:var(--card); border:1px solid var(--line); border-radius:8px; width:100%; }
        th, td { text-align:left; padding:7px 12px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { background:#f0f2f5; font-size:13px; color:#374151; }
        td pre { margin:0; white-space:pre-wrap; word-break:break-word; max-width:900px; font-size:12px; }
        .status { font-weight:700; padding:2px 8px; border-radius:10px; font-size:12px; color:#fff; }
        .status.SUCCEEDED { background:var(--ok); } .status.FAILED { background:var(--bad); } .status.RUNNING { background:var(--accent); } .status.ABORTED { background:var(--warn); }
        .ranges a, .hosts a { display:inline-block; padding:4px 10px; margin:0 6px 8px 0; border:1px solid var(--line); border-radius:6px; background:var(--card); text-decoration:none; color:var(--ink); }
        .ranges a.active, .hosts a.active { background:var(--accent); color:#fff; border-color:var(--accent); }
        .chart { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:10px; margin-bottom:16px; }
        .legend span { display:inline-block; margin-right:16px; font-size:13px; } .legend i { display:inline-block; width:12px; height:12px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
        textarea { width:100%; min-height:90px; font:13px ui-monospace, monospace; padding:8px; border:1px solid var(--line); border-radius:6px; }
        button { background:var(--accent); color:#fff; border:0; border-radius:6px; padding:7px 16px; font-size:14px; cursor:pointer; margin:8px 8px 8px 0; }
        .state { font-weight:700; padding:1px 7px; border-radius:9px; font-size:11px; color:#fff; background:var(--muted); }
        .state.ALARM { background:var(--bad); } .state.OK { background:var(--ok); } .state.INSUFFICIENT_DATA { background:var(--warn); }
        .summary div.alarm-ALARM { border-left:6px solid var(--bad); } .summary div.alarm-INSUFFICIENT_DATA { border-left:6px solid var(--warn); }
        td.cell { border-left:4px solid transparent; white-space:nowrap; }
        td.alarm-ALARM { border-left-color:var(--bad); background:#fdf1f1; } td.alarm-ALARM a { color:var(--bad); font-weight:700; }
        td.alarm-INSUFFICIENT_DATA { border-left-color:var(--warn); } td.alarm-OK { border-left-color:var(--ok); }
        th a { color:inherit; text-decoration:none; } th a.active { color:var(--accent); }
        .filters { display:flex; gap:12px; flex-wrap:wrap; align-items:center; margin:10px 0; }
        .filters input, .filters select { font:14px system-ui, sans-serif; padding:5px 8px; border:1px solid var(--line); border-radius:6px; margin-left:4px; }
        .pager { margin:8px 0; } .pager a { margin-left:10px; }
        .health-up { color:var(--ok); font-weight:700; } .health-down { color:var(--bad); font-weight:700; }
        .swatch-0 { background:#2563eb; } .swatch-1 { background:#d64545; } .swatch-2 { background:#1f9d55; } .swatch-3 { background:#d98b00; }
        .swatch-4 { background:#7c3aed; } .swatch-5 { background:#0891b2; } .swatch-6 { background:#be185d; } .swatch-7 { background:#4b5563; }
        .error { background:#fdecec; border:1px solid #f5b5b5; color:#8a1f1f; padding:10px 14px; border-radius:6px; margin:10px 0; }
        """
}
