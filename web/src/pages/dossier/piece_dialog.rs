//! « Ajouter un justificatif »: the upload dialog of Étape 2/3, also opened by « Remplacer ».
//!
//! A native `<dialog>` opened with `showModal()`: the page behind it is inert (the focus
//! stays inside), Escape closes it, the focus goes to its first field and, when it is
//! cancelled, back to the button that opened it. Formats and limits are stated before any
//! file is chosen and files beyond them are refused at once, in French, naming the limit.
//! The upload shows a `<progress>` bar and is announced in a live region. Each attempt has
//! its own Idempotency-Key: sending the same form again after a network failure reuses it,
//! so the server stores one piece; any change to the form starts a new attempt.

use std::rc::Rc;

use leptos::ev::{DragEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::pieces::{Cible, Format, Piece, PieceType, PiecesResponse, UploadLimits};
use shared::error::{ErrorCode, FieldErrors};
use shared::pieces::{check_emis_le, earliest_emis_le, human_size};
use shared::validation::codes;
use uuid::Uuid;
use web_sys::{File, HtmlInputElement};

use crate::api::{self, Method, Progress, Upload, UploadControl};
use crate::components::choice::SelectField;
use crate::components::field::{Field, FormErrors, add_error, focus_first_invalid};
use crate::components::modal::Opener;
use crate::format::{day, iso_date, parse_iso_date, today};
use crate::i18n::{
    UPLOAD_INTERRUPTED, UPLOAD_REFUSED, earliest_emis_le_hint, emis_le_error, field_message,
    file_error, file_refusal, problem_message, quota_left, upload_limits, upload_progress,
};
use crate::pages::dossier::pieces::PiecesData;
use crate::pages::dossier::pieces_model::{
    FILE_PART, Room, accept_attribute, check_new_file, file_errors, form_errors, room,
    target_member, target_value, targets,
};
use crate::pages::dossier::{focus_selector, use_wizard};

/// What the dialog is opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum DialogRequest {
    /// « Ajouter un justificatif », pre-filled by a row's « Ajouter » with its type and target.
    Add {
        type_code: Option<String>,
        member_id: Option<Uuid>,
    },
    /// « Remplacer »: new files and dates for this piece (`PUT`).
    Replace(Piece),
}

/// The first control that takes the focus when the dialog opens (the type, or the date of
/// issue when replacing, where type and target are fixed).
const FIRST_FIELD: &str = "#piece-dialog :is(select, input):not(:disabled):not([type=file])";

/// The upload dialog. `on_changed` runs when the list may have changed: with the stored
/// piece, or `None` after the dialog closed on an interrupted upload (it may have arrived).
#[component]
pub fn PieceDialog(
    request: RwSignal<Option<DialogRequest>>,
    data: PiecesData,
    on_changed: Callback<Option<Piece>>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = Opener::new();
    // Set from the start of an upload until a definite answer: the list may change.
    let uncertain = StoredValue::new(false);
    // The form ended with a stored piece: the step redraws the list and moves the focus.
    let stored = StoredValue::new(false);
    Effect::new(move |_| {
        let open = request.with(Option::is_some);
        let Some(element) = dialog.get() else {
            return;
        };
        if open && !element.open() {
            opener.remember();
            uncertain.set_value(false);
            stored.set_value(false);
            let _ = element.show_modal();
            focus_selector(FIRST_FIELD);
        } else if !open && element.open() {
            element.close();
        }
    });
    // Escape, « Annuler » and a stored piece all end here.
    let on_close = move |_| {
        if request.with_untracked(Option::is_some) {
            request.set(None);
        }
        if stored.get_value() {
            return;
        }
        if uncertain.get_value() {
            on_changed.run(None);
            return;
        }
        opener.focus_or("main h2.step-heading");
    };
    // The form ends with the stored piece, or `None` for « Annuler ».
    let done = Callback::new(move |piece: Option<Piece>| {
        stored.set_value(piece.is_some());
        request.set(None);
        if piece.is_some() {
            on_changed.run(piece);
        }
    });
    view! {
        <dialog node_ref=dialog id="piece-dialog" class="piece-dialog" role="dialog" aria-modal="true"
            aria-labelledby="piece-dialog-titre" aria-describedby="piece-dialog-sous-titre" on:close=on_close>
            {move || request.get().and_then(|r| Some((data.with(|d| Some(Context::new(d?, &r)))?, r))).map(|(c, r)| view! {
                <PieceForm request=r context=c done=done uncertain=uncertain/>
            })}
        </dialog>
    }
}

/// One file chosen for the upload: `key` identifies it while files come and go, `refused`
/// holds the server's refusal codes for it after a send.
#[derive(Clone)]
struct ChosenFile {
    key: usize,
    file: File,
    name: String,
    size: u64,
    refused: Vec<String>,
}

/// The form's fixed inputs: what the catalogue and the limits say.
#[derive(Clone)]
struct Context {
    types: Vec<PieceType>,
    personnes: Vec<shared::api::pieces::Personne>,
    limits: UploadLimits,
    room: Room,
    replacing: Option<Piece>,
}

impl Context {
    fn new(data: &PiecesResponse, request: &DialogRequest) -> Self {
        let replacing = match request {
            DialogRequest::Replace(piece) => Some(piece.clone()),
            DialogRequest::Add { .. } => None,
        };
        Self {
            room: room(&data.limites, replacing.as_ref()),
            types: data.types.clone(),
            personnes: data.personnes.clone(),
            limits: data.limites.clone(),
            replacing,
        }
    }

    fn find(&self, code: &str) -> Option<PieceType> {
        self.types.iter().find(|t| t.code == code).cloned()
    }

    /// The formats of `piece_type`, or every format of the catalogue before one is chosen.
    fn formats(&self, piece_type: Option<&PieceType>) -> Vec<Format> {
        match piece_type {
            Some(t) => t.formats.clone(),
            None => {
                let mut all: Vec<Format> = Vec::new();
                for format in self.types.iter().flat_map(|t| t.formats.iter()) {
                    if !all.contains(format) {
                        all.push(*format);
                    }
                }
                all
            }
        }
    }
}

// The form keeps few reactive types on purpose: each new signal, memo or map type adds
// its own copy of the reactive machinery to the WASM bundle (BENCHMARKS.md, SPA bundle).
// Values derived from the chosen type are plain closures, and the Idempotency-Key is
// matched to the form's content when sending instead of being reset by an effect.
#[component]
fn PieceForm(
    request: DialogRequest,
    context: Context,
    /// With the stored piece, or `None` when cancelled.
    done: Callback<Option<Piece>>,
    uncertain: StoredValue<bool>,
) -> impl IntoView {
    let wizard = use_wizard();
    let today = today();
    let (initial_type, initial_member) = match &request {
        DialogRequest::Add {
            type_code,
            member_id,
        } => (type_code.clone().unwrap_or_default(), *member_id),
        DialogRequest::Replace(piece) => (piece.type_code.clone(), piece.lie_a.member_id),
    };
    let is_replacing = context.replacing.is_some();
    let context = StoredValue::new(context);

    let type_code = RwSignal::new(initial_type.clone());
    let target = RwSignal::new(if initial_type.is_empty() {
        String::new()
    } else {
        target_value(initial_member)
    });
    let emis_le = RwSignal::new(String::new());
    let files = RwSignal::new_local(Vec::<ChosenFile>::new());
    let errors = FormErrors::new();
    let notice = RwSignal::new(None::<String>);
    let announce = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    let progress = RwSignal::new(0_u32);
    // What was last sent and its Idempotency-Key: the same form sent again reuses the key.
    let (attempt_sent, attempt_key) = (
        StoredValue::new(String::new()),
        StoredValue::new(String::new()),
    );
    let control = StoredValue::new_local(UploadControl::default());

    let chosen_type = move || type_code.with(|code| context.with_value(|c| c.find(code)));
    let formats = move || context.with_value(|c| c.formats(chosen_type().as_ref()));
    let type_options = Signal::derive(move || {
        context.with_value(|c| {
            c.types
                .iter()
                .map(|t| (t.code.clone(), t.libelle.clone()))
                .collect::<Vec<_>>()
        })
    });
    let target_options = Signal::derive(move || {
        chosen_type()
            .map(|t| context.with_value(|c| targets(&t, &c.personnes)))
            .unwrap_or_default()
    });
    // A new type keeps the target only if it still applies; a single choice is taken.
    Effect::new(move |_| {
        let options = target_options.get();
        let current = target.get_untracked();
        if !options.iter().any(|(value, _)| *value == current) {
            let only = match options.as_slice() {
                [(value, _)] => value.clone(),
                _ => String::new(),
            };
            target.set(only);
        }
    });

    let earliest = move || {
        chosen_type()
            .and_then(|t| Some((t.emis_depuis_moins_de_mois?, earliest_emis_le(&t, today)?)))
    };
    let emis_hint = Signal::derive(move || {
        let base = "Date de délivrance du document joint.";
        Some(match earliest() {
            Some((months, date)) => {
                format!("{base} {}", earliest_emis_le_hint(months, &day(&date)))
            }
            None => base.to_string(),
        })
    });
    let emis_translate =
        Callback::new(move |code: String| emis_le_error(&code, chosen_type().as_ref()));
    let type_hint = Signal::derive(move || chosen_type().and_then(|t| t.aide));
    let limits_text = move || {
        let formats = formats();
        context.with_value(|c| {
            let mut text = upload_limits(&formats, &c.limits);
            if let Some(quota) = quota_left(c.room.files, c.room.bytes, &c.limits) {
                text = format!("{text} {quota}");
            }
            text
        })
    };

    // Adds files from the picker or a drop, refusing at once those beyond the limits.
    let add_files = move |incoming: Vec<File>| {
        let accepted = formats();
        let mut said = Vec::new();
        let mut refused = Vec::new();
        for file in incoming {
            let name = file.name();
            // A file's size is a whole number of bytes (a JS number).
            let size = file.size() as u64;
            let (chosen, key) = files.with_untracked(|f| {
                let sizes: Vec<u64> = f.iter().map(|c| c.size).collect();
                (sizes, f.iter().map(|c| c.key + 1).max().unwrap_or(0))
            });
            let check = context.with_value(|c| {
                check_new_file(&chosen, size, &file.type_(), &accepted, &c.limits, c.room)
            });
            match check {
                Ok(()) => {
                    said.push(format!("« {name} » ajouté ({}).", human_size(size)));
                    files.update(|f| {
                        f.push(ChosenFile {
                            key,
                            file,
                            name,
                            size,
                            refused: Vec::new(),
                        })
                    });
                }
                Err(refusal) => refused.push(file_refusal(refusal, &name, &accepted)),
            }
        }
        errors.fields.update(|f| {
            f.remove("fichiers");
        });
        notice.set((!refused.is_empty()).then(|| refused.join(" ")));
        said.extend(refused);
        announce.set(Some(said.join(" ")));
    };
    let file_list = |list: Option<web_sys::FileList>| -> Vec<File> {
        list.map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
            .unwrap_or_default()
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let picked = file_list(input.files());
        // Emptied so that choosing the same file again is noticed.
        input.set_value("");
        add_files(picked);
    };
    let on_drop = move |ev: DragEvent| {
        ev.prevent_default();
        add_files(file_list(ev.data_transfer().and_then(|d| d.files())));
    };
    let on_dragover = move |ev: DragEvent| {
        // Without this the browser would open the dropped file instead of handing it over.
        ev.prevent_default();
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_drop_effect("copy");
        }
    };
    let remove = Callback::new(move |key: usize| {
        let name = files.with_untracked(|f| {
            f.iter()
                .find(|c| c.key == key)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        });
        files.update(|f| f.retain(|c| c.key != key));
        notice.set(None);
        announce.set(Some(format!("« {name} » retiré.")));
        focus_selector("#piece-fichiers");
    });

    let cancel = move |_| {
        control.with_value(UploadControl::abort);
        done.run(None);
    };
    on_cleanup(move || {
        // Closing the dialog (Escape) while sending stops the upload too.
        if !control.is_disposed() {
            control.with_value(UploadControl::abort);
        }
    });

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        errors.clear();
        notice.set(None);
        files.update(|f| f.iter_mut().for_each(|c| c.refused.clear()));
        // The same rules as the server, so that it is not asked in vain.
        let piece_type = type_code.with_untracked(|code| context.with_value(|c| c.find(code)));
        let member = target_member(&target.get_untracked());
        let mut fields = FieldErrors::new();
        match &piece_type {
            None => add_error(&mut fields, "type_code", codes::REQUIRED),
            Some(t) if t.cible == Cible::Personne && member.is_none() => {
                add_error(&mut fields, "member_id", codes::REQUIRED);
            }
            Some(_) => {}
        }
        let date = emis_le.with_untracked(|d| parse_iso_date(d));
        match (date, &piece_type) {
            (None, _) => add_error(&mut fields, "emis_le", codes::REQUIRED),
            (Some(date), Some(t)) => {
                if let Err(code) = check_emis_le(t, date, today) {
                    add_error(&mut fields, "emis_le", code);
                }
            }
            (Some(_), None) => {}
        }
        if files.with_untracked(Vec::is_empty) {
            add_error(&mut fields, "fichiers", codes::REQUIRED);
        }
        if !fields.is_empty() {
            errors.general.set(Some(UPLOAD_REFUSED.into()));
            errors.show_fields(fields);
            return;
        }
        // Both are known here: a missing one is a field error above.
        let (Some(piece_type), Some(date)) = (piece_type, date) else {
            return;
        };

        let mut form = vec![("type_code", piece_type.code.clone())];
        if let Some(member) = member {
            form.push(("member_id", member.to_string()));
        }
        form.push(("emis_le", iso_date(&date)));
        let chosen = files.get_untracked();
        let replaced = context.with_value(|c| c.replacing.as_ref().map(|p| p.id));
        let (method, path, key) = match replaced {
            Some(id) => (Method::Put, wizard.path(&format!("/pieces/{id}")), None),
            None => {
                let mut sent: String = form.iter().map(|(_, value)| format!("{value}|")).collect();
                for file in &chosen {
                    sent.push_str(&file.key.to_string());
                    sent.push(',');
                }
                let same = attempt_sent.with_value(|last| *last == sent);
                let key = match attempt_key.get_value() {
                    key if same && !key.is_empty() => key,
                    _ => Uuid::new_v4().to_string(),
                };
                attempt_sent.set_value(sent);
                attempt_key.set_value(key.clone());
                (Method::Post, wizard.path("/pieces"), Some(key))
            }
        };
        sending.set(true);
        progress.set(0);
        uncertain.set_value(true);
        announce.set(Some(upload_progress(0)));
        let on_progress: Rc<dyn Fn(Progress)> = Rc::new(move |p: Progress| {
            if progress.is_disposed() {
                return;
            }
            let percent = p.percent();
            // Every quarter is enough for a screen reader; the bar shows the rest.
            if percent / 25 > progress.get_untracked() / 25 {
                announce.set(Some(upload_progress(percent)));
            }
            progress.set(percent);
        });
        let upload_control = control.get_value();
        spawn_local(async move {
            let raw: Vec<File> = chosen.iter().map(|c| c.file.clone()).collect();
            let upload = Upload {
                method,
                path: &path,
                fields: &form,
                file_part: FILE_PART,
                files: &raw,
                idempotency_key: key,
            };
            let result = api::authed(wizard.session)
                .upload::<Piece>(&upload, on_progress, &upload_control)
                .await;
            // The dialog may have been closed meanwhile (the upload was then aborted).
            if sending.is_disposed() {
                return;
            }
            sending.set(false);
            let error = match result {
                Ok(piece) => {
                    done.run(Some(piece));
                    return;
                }
                Err(error) => error,
            };
            if error.status() == 0 {
                // Nothing came back: the same form sent again reuses the same key.
                errors.general.set(Some(UPLOAD_INTERRUPTED.into()));
                announce.set(Some(UPLOAD_INTERRUPTED.into()));
                focus_selector("#piece-dialog .dialog-errors");
                return;
            }
            uncertain.set_value(false);
            if error.code() == ErrorCode::IdempotencyKeyReused {
                attempt_key.set_value(String::new());
            }
            let by_index = file_errors(&error.problem.fields);
            files.update(|f| {
                for (index, file) in f.iter_mut().enumerate() {
                    file.refused = by_index.get(&index).cloned().unwrap_or_default();
                }
            });
            let fields = form_errors(&error.problem.fields);
            let general = if fields.is_empty() && by_index.is_empty() {
                problem_message(&error)
            } else {
                UPLOAD_REFUSED.into()
            };
            announce.set(Some(general.clone()));
            errors.general.set(Some(general));
            let any_field = !fields.is_empty();
            errors.fields.set(fields);
            if any_field {
                focus_first_invalid();
            } else if !by_index.is_empty() {
                focus_selector("#piece-dialog .file-invalid button");
            } else {
                focus_selector("#piece-dialog .dialog-errors");
            }
        });
    };

    let title = if is_replacing {
        "Remplacer un justificatif"
    } else {
        "Ajouter un justificatif"
    };
    let files_invalid =
        move || errors.fields.with(|f| f.contains_key("fichiers")) || notice.with(Option::is_some);
    let files_error = move || {
        notice.get().unwrap_or_else(|| {
            errors.fields.with(|f| {
                f.get("fichiers")
                    .into_iter()
                    .flatten()
                    .map(|c| field_message(c))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        })
    };

    view! {
        <h2 id="piece-dialog-titre">{title}</h2>
        <p id="piece-dialog-sous-titre" class="dialog-subtitle">"Attacher un ou plusieurs fichiers ci-dessous"</p>
        <form on:submit=submit novalidate=true>
            <div class="error-summary dialog-errors" role="alert" tabindex="-1">
                {move || errors.general.get().map(|text| view! { <p class="error-summary-title">{text}</p> })}
            </div>
            <SelectField id="piece-type" name="type_code" label="Type de pièce" value=type_code
                options=type_options errors=errors.field("type_code") required=true hint=type_hint
                disabled=is_replacing/>
            <SelectField id="piece-cible" name="member_id" label="Lié à" value=target
                options=target_options errors=errors.field("member_id") required=true
                disabled=is_replacing/>
            // Set by the server to the day of sending: shown, not typed.
            <div class="field">
                <p class="static-label" id="piece-presentation-libelle">"Date présentation"</p>
                <p class="static-value" aria-labelledby="piece-presentation-libelle">{day(&today)}</p>
            </div>
            <Field id="piece-emission" name="emis_le" label="Date d'émission" value=emis_le input_type="date"
                errors=errors.field("emis_le") hint=emis_hint translate=emis_translate
                max=iso_date(&today)/>
            <fieldset class="field attachments" class:field-invalid=files_invalid>
                <legend>"Pièces jointes"<span class="required" aria-hidden="true">" *"</span></legend>
                <p class="hint" id="piece-fichiers-limites">{limits_text}</p>
                <div class="drop-zone" on:dragover=on_dragover on:drop=on_drop>
                    <p class="drop-text">"Glissez-déposez vos fichiers ici, ou :"</p>
                    <input type="file" id="piece-fichiers" name="fichier" class="file-input" multiple=true
                        accept=move || accept_attribute(&formats())
                        aria-invalid=move || if files_invalid() { "true" } else { "false" }
                        aria-describedby=move || if files_invalid() {
                            "piece-fichiers-limites piece-fichiers-erreur"
                        } else {
                            "piece-fichiers-limites"
                        }
                        on:change=on_pick/>
                    <label for="piece-fichiers" class="button secondary file-button">
                        {move || if files.with(Vec::is_empty) { "Télécharger un fichier" } else { "Ajouter une pièce jointe" }}
                    </label>
                </div>
                {move || files_invalid().then(|| view! {
                    <p class="field-error" id="piece-fichiers-erreur">
                        <span class="visually-hidden">"Erreur : "</span>
                        {files_error()}
                    </p>
                })}
                // Redrawn whole on each change: a handful of files needs no keyed list.
                {move || {
                    let accepted = formats();
                    files.with(|f| (!f.is_empty()).then(|| view! {
                        <ul class="chosen-files" aria-label="Fichiers choisis">
                            {f.iter().map(|c| chosen_file(c, &accepted, remove)).collect_view()}
                        </ul>
                    }))
                }}
            </fieldset>
            {move || sending.get().then(|| view! {
                <div class="upload-progress">
                    <label for="piece-progression">"Envoi en cours"</label>
                    <progress id="piece-progression" max="100" value=move || progress.get().to_string()>
                        {move || format!("{} %", progress.get())}
                    </progress>
                </div>
            })}
            <p class="upload-status" role="status">{move || announce.get()}</p>
            <div class="actions">
                <button type="button" class="button secondary" on:click=cancel>"Annuler"</button>
                // aria-disabled, not disabled: a disabled button would drop the keyboard focus
                // out of the dialog while the upload runs.
                <button type="submit" class="button primary" aria-disabled=move || sending.get().then_some("true")>
                    {move || if sending.get() { "Envoi en cours…" } else { "Envoyer" }}
                </button>
            </div>
        </form>
    }
}

/// One chosen file: name, size, « Retirer », and the server's refusal of it, tied to the
/// button by `aria-describedby`.
fn chosen_file(
    file: &ChosenFile,
    formats: &[Format],
    remove: Callback<usize>,
) -> impl IntoView + use<> {
    let key = file.key;
    let error_id = format!("piece-fichier-{key}-erreur");
    let refused = (!file.refused.is_empty()).then(|| {
        file.refused
            .iter()
            .map(|c| file_error(c, formats))
            .collect::<Vec<_>>()
            .join(" ")
    });
    let invalid = refused.is_some();
    view! {
        <li class:file-invalid=invalid>
            <span class="file-name">{file.name.clone()}</span>
            " "
            <span class="file-size">{format!("({})", human_size(file.size))}</span>
            " "
            <button type="button" class="link-button remove-file"
                aria-describedby=invalid.then(|| error_id.clone())
                on:click=move |_| remove.run(key)>
                "Retirer"<span class="visually-hidden">{format!(" {}", file.name)}</span>
            </button>
            {refused.map(|text| view! {
                <p class="field-error" id=error_id>
                    <span class="visually-hidden">"Erreur : "</span>
                    {text}
                </p>
            })}
        </li>
    }
}
