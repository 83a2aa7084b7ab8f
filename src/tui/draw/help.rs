//! The `?` help, generated from the keymap (so it cannot disagree with the
//! bindings or the key bar), with the commands and the filter syntax.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::action::Context;
use crate::tui::app::App;
use crate::tui::keymap::ALWAYS_QUIT;
use crate::tui::widgets::prompt::available;

/// Every line of the help.
pub fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut out = Vec::new();
    let sections: [(&str, Vec<Context>); 5] = [
        ("Everywhere", vec![Context::Global]),
        ("Lists", vec![Context::List]),
        ("Detail views", vec![Context::Detail]),
        ("Tail", vec![Context::Tail]),
        ("Prompts and dialogs", vec![Context::Prompt]),
    ];
    for (title, contexts) in sections {
        out.push(Line::styled(
            format!(" {title}"),
            t.header.add_modifier(Modifier::BOLD),
        ));
        for (action, keys) in app.keymap.effective(&contexts) {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            out.push(Line::from(vec![
                Span::styled(format!("   {:<22}", keys.join(" ")), t.accent),
                Span::raw(action.describe()),
            ]));
        }
        if contexts == [Context::Global] {
            out.push(Line::from(vec![
                Span::styled(format!("   {:<22}", ALWAYS_QUIT.to_string()), t.accent),
                Span::raw("quit (always)"),
            ]));
        }
    }
    out.push(Line::styled(
        " Commands (:)",
        t.header.add_modifier(Modifier::BOLD),
    ));
    for (names, _, what) in available(app.header.readonly) {
        out.push(Line::from(vec![
            Span::styled(format!("   :{:<21}", names.join(" :")), t.accent),
            Span::raw(*what),
        ]));
    }
    out.push(Line::styled(
        " Filter (/)",
        t.header.add_modifier(Modifier::BOLD),
    ));
    for (syntax, what) in [
        ("/text", "rows containing text (any case)"),
        ("/!text", "rows not containing text"),
        ("/-f txt", "fuzzy: the letters in order"),
        ("esc", "on a list: clear the filter"),
    ] {
        out.push(Line::from(vec![
            Span::styled(format!("   {syntax:<22}"), t.accent),
            Span::raw(what),
        ]));
    }
    if app.header.readonly {
        out.push(Line::styled(
            " read-only: actions that change the account are not registered",
            t.muted,
        ));
    }
    out
}

/// Draw the help over the body, scrolled.
pub fn render(f: &mut Frame<'_>, area: Rect, app: &App, scroll: usize) {
    let all = lines(app);
    let h = area.height.saturating_sub(2) as usize;
    let scroll = scroll.min(all.len().saturating_sub(h));
    let visible: Vec<Line<'static>> = all.into_iter().skip(scroll).take(h).collect();
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(visible).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border)
                .title(Span::styled(" help — esc or ? to close ", app.theme.header)),
        ),
        area,
    );
}
