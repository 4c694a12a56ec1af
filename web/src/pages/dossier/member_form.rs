//! The member form of step 1: one per role, and for a child the two parts of the seed
//! (« Ajout d'un enfant » Étape 1/2 Informations, Étape 2/2 Liens de parenté).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::dossier::{DossierResponse, Member, MemberInput, Role, SetLinksRequest};
use shared::error::ErrorCode;
use shared::validation::{codes, field_errors};
use uuid::Uuid;
use validator::Validate;

use crate::components::choice::{CheckboxField, RadioGroup, SelectField};
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::stepper::Stepper;
use crate::i18n::role_label;
use crate::pages::dossier::model::{
    BIRTH, LinkDraft, MEMBER_LABELS, MemberDraft, RELATIONS, SEXES, SITUATIONS, display_name,
    link_drafts,
};
use crate::pages::dossier::{ConflictBanner, Wizard, focus_selector, use_wizard};

const CHILD_STEPS: &[&str] = &["Informations", "Liens de parenté"];

/// An open member form.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The stored member (None until a new member is first saved).
    pub member_id: RwSignal<Option<Uuid>>,
    pub draft: MemberDraft,
    /// 0: Informations, 1: Liens de parenté (children).
    pub part: RwSignal<usize>,
    pub links: RwSignal<Vec<(Member, LinkDraft)>>,
    pub errors: FormErrors,
    /// The heading, fixed when the form opens.
    pub title: StoredValue<String>,
    /// The member as last read from the server (to merge a fresh version after a conflict).
    pub base: StoredValue<MemberInput>,
}

impl Editor {
    /// A form for a new member.
    pub fn add(role: Role) -> Self {
        let title = match role {
            Role::Responsable => "Ajout du responsable",
            Role::ResponsableLegal => "Ajout du responsable légal",
            Role::Conjoint => "Ajout du conjoint",
            Role::Enfant => "Ajout d'un enfant",
            Role::Contact => "Ajout d'un contact",
        };
        Self::open(None, MemberDraft::new(role, None), title.into(), 0)
    }

    /// A form for a stored member (`links_part` opens a child's links directly).
    pub fn edit(member: &Member, dossier: &DossierResponse, links_part: bool) -> Self {
        let editor = Self::open(
            Some(member.id),
            MemberDraft::new(member.fields.role, Some(&member.fields)),
            format!(
                "Modification : {} {}",
                role_label(member.fields.role).to_lowercase(),
                display_name(&member.fields)
            ),
            0,
        );
        editor.base.set_value(member.fields.clone());
        if links_part && member.fields.role == Role::Enfant {
            editor.links.set(link_drafts(
                Some(member.id),
                &dossier.members,
                &dossier.links,
            ));
            editor.part.set(1);
        }
        editor
    }

    fn open(member_id: Option<Uuid>, draft: MemberDraft, title: String, part: usize) -> Self {
        Self {
            member_id: RwSignal::new(member_id),
            draft,
            part: RwSignal::new(part),
            links: RwSignal::new(Vec::new()),
            errors: FormErrors::new(),
            title: StoredValue::new(title),
            base: StoredValue::new(MemberInput {
                role: draft.role,
                ..MemberInput::default()
            }),
        }
    }
}

/// Saves the member; true when stored.
async fn save_member(wizard: Wizard, editor: Editor) -> bool {
    editor.errors.clear();
    let input = editor.draft.to_input();
    if let Err(e) = input.validate()
        && editor.errors.show_fields(field_errors(&e))
    {
        return false;
    }
    let result = match editor.member_id.get_untracked() {
        None => {
            let path = wizard.path("/members");
            wizard
                .write(
                    move |c| async move { c.post::<_, DossierResponse>(&path, &input).await },
                    |d| Some(d),
                )
                .await
        }
        Some(id) => {
            let path = wizard.path(&format!("/members/{id}"));
            wizard
                .write(
                    move |c| async move { c.put::<_, DossierResponse>(&path, &input).await },
                    |d| Some(d),
                )
                .await
        }
    };
    match result {
        Ok(dossier) => {
            if editor.member_id.get_untracked().is_none() {
                editor.member_id.set(dossier.members.last().map(|m| m.id));
            }
            let id = editor.member_id.get_untracked();
            if let Some(saved) = dossier.members.iter().find(|m| Some(m.id) == id) {
                editor.base.set_value(saved.fields.clone());
            }
            true
        }
        Err(error) if error.code() == ErrorCode::PreconditionFailed => false,
        Err(error) => {
            editor.errors.show_api(&error);
            false
        }
    }
}

/// Saves the child's links; true when stored.
async fn save_links(wizard: Wizard, editor: Editor) -> bool {
    editor.errors.clear();
    let Some(child) = editor.member_id.get_untracked() else {
        return false;
    };
    let drafts = editor.links.get_untracked();
    let mut fields = shared::error::FieldErrors::new();
    for (adult, draft) in &drafts {
        if draft.ticked_without_relation() {
            add_error(&mut fields, &format!("lien-{}", adult.id), codes::REQUIRED);
        }
    }
    if editor.errors.show_fields(fields) {
        editor.errors.general.set(Some(
            "Choisissez le lien de parenté de chaque adulte pour lequel une case est cochée."
                .into(),
        ));
        return false;
    }
    let request = SetLinksRequest {
        links: drafts.iter().filter_map(|(_, d)| d.to_input()).collect(),
    };
    let path = wizard.path(&format!("/members/{child}/links"));
    let result = wizard
        .write(
            move |c| async move { c.put::<_, DossierResponse>(&path, &request).await },
            |d| Some(d),
        )
        .await;
    match result {
        Ok(_) => true,
        Err(error) if error.code() == ErrorCode::PreconditionFailed => false,
        Err(error) => {
            editor.errors.show_api(&error);
            false
        }
    }
}

/// The open member form.
#[component]
pub fn MemberEditor(editor: Editor, on_close: Callback<()>) -> impl IntoView {
    let wizard = use_wizard();
    wizard.editing.set(true);
    on_cleanup(move || wizard.editing.set(false));
    let draft = editor.draft;
    let role = draft.role;
    // « Recharger » after a conflict: merge the fresh version of this member into the form.
    Effect::new(move |previous: Option<u32>| {
        let count = wizard.reloaded.get();
        if previous.is_some_and(|p| p != count) {
            let id = editor.member_id.get_untracked();
            let fresh = wizard.dossier.with_untracked(|d| {
                d.as_ref().and_then(|d| {
                    d.members
                        .iter()
                        .find(|m| Some(m.id) == id)
                        .map(|m| m.fields.clone())
                })
            });
            match fresh {
                Some(fresh) => {
                    draft.merge(&editor.base.get_value(), &fresh);
                    editor.base.set_value(fresh);
                }
                // Removed elsewhere meanwhile: « Enregistrer » adds it again.
                None => editor.member_id.set(None),
            }
        }
        count
    });
    let is_child = role == Role::Enfant;
    let pending = RwSignal::new(false);
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });

    let submit_info = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let ok = save_member(wizard, editor).await;
            pending.set(false);
            if !ok {
                return;
            }
            if is_child {
                let drafts = wizard.dossier.with_untracked(|d| {
                    d.as_ref()
                        .map(|d| {
                            link_drafts(editor.member_id.get_untracked(), &d.members, &d.links)
                        })
                        .unwrap_or_default()
                });
                editor.links.set(drafts);
                editor.part.set(1);
                focus_selector("main .member-editor h4");
            } else {
                on_close.run(());
            }
        });
    };
    let submit_links = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let ok = save_links(wizard, editor).await;
            pending.set(false);
            if ok {
                on_close.run(());
            }
        });
    };
    let err = move |name: &'static str| editor.errors.field(name);
    let adult = role.is_adult_of_household();
    let unborn = move || draft.unborn();

    let info_form = move || {
        view! {
            <form on:submit=submit_info novalidate=true>
                <ErrorSummary errors=editor.errors labels=MEMBER_LABELS/>
                {is_child.then(|| view! {
                    <RadioGroup name="membre-naissance" legend="Cet enfant est-il né ?" value=draft.naissance options=BIRTH required=true/>
                })}
                <Show when=move || !unborn() && role != Role::Contact>
                    <RadioGroup name="membre-sexe" legend="Civilité / sexe" value=draft.sexe options=SEXES
                        errors=err("sexe") required=true/>
                </Show>
                <Field id="membre-nom" name="nom" label="Nom" value=draft.nom errors=err("nom") autocomplete="family-name"/>
                {adult.then(|| view! {
                    <Field id="membre-nom-naissance" name="nom_naissance" label="Nom de naissance" value=draft.nom_naissance
                        errors=err("nom_naissance") autocomplete="off" required=false/>
                })}
                <Show when=move || !unborn()>
                    <Field id="membre-prenom" name="prenom" label="Prénom" value=draft.prenom errors=err("prenom") autocomplete="given-name"/>
                </Show>
                <Show when=move || !unborn() && role != Role::Contact>
                    <Field id="membre-autres-prenoms" name="autres_prenoms" label="Autres prénoms" value=draft.autres_prenoms
                        errors=err("autres_prenoms") autocomplete="additional-name" required=false/>
                    <Field id="membre-date-naissance" name="date_naissance" label="Date de naissance" value=draft.date_naissance
                        errors=err("date_naissance") input_type="date" autocomplete="bday"/>
                    <Field id="membre-pays-naissance" name="pays_naissance" label="Pays de naissance" value=draft.pays_naissance
                        errors=err("pays_naissance") autocomplete="off" required=false/>
                    <Field id="membre-commune-naissance" name="commune_naissance" label="Commune de naissance" value=draft.commune_naissance
                        errors=err("commune_naissance") autocomplete="off" required=false/>
                </Show>
                <Show when=unborn>
                    <Field id="membre-date-prevue" name="date_naissance_prevue" label="Date de naissance prévue"
                        value=draft.date_naissance_prevue errors=err("date_naissance_prevue") input_type="date"
                        hint="Dans les 10 prochains mois."/>
                </Show>
                {adult.then(|| view! {
                    <SelectField id="membre-situation" name="situation_familiale" label="Situation familiale"
                        value=draft.situation_familiale options=SITUATIONS errors=err("situation_familiale")/>
                    <Field id="membre-situation-depuis" name="situation_depuis" label="Depuis le" value=draft.situation_depuis
                        errors=err("situation_depuis") input_type="date" required=false/>
                })}
                {(!is_child).then(|| {
                    let phone_required = matches!(role, Role::Responsable | Role::Contact);
                    view! {
                        {if phone_required {
                            view! {
                                <Field id="membre-tel-mobile" name="telephone_mobile" label="Téléphone mobile" value=draft.telephone_mobile
                                    errors=err("telephone_mobile") input_type="tel" autocomplete="tel"
                                    hint="Un numéro de téléphone, mobile ou fixe, est obligatoire."/>
                            }.into_any()
                        } else {
                            view! {
                                <Field id="membre-tel-mobile" name="telephone_mobile" label="Téléphone mobile" value=draft.telephone_mobile
                                    errors=err("telephone_mobile") input_type="tel" autocomplete="tel" required=false/>
                            }.into_any()
                        }}
                        <Field id="membre-tel-fixe" name="telephone_fixe" label="Téléphone fixe" value=draft.telephone_fixe
                            errors=err("telephone_fixe") input_type="tel" autocomplete="tel" required=false/>
                        <Field id="membre-email" name="email" label="Email" value=draft.email
                            errors=err("email") input_type="email" autocomplete="email" required=false/>
                    }
                })}
                {adult.then(|| view! {
                    <Field id="membre-profession" name="profession" label="Profession" value=draft.profession
                        errors=err("profession") autocomplete="organization-title" required=false/>
                    <Field id="membre-employeur" name="employeur" label="Employeur" value=draft.employeur
                        errors=err("employeur") autocomplete="organization" required=false/>
                })}
                <div class="actions">
                    <button type="button" class="button secondary" on:click=move |_| on_close.run(())>"Annuler"</button>
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {if is_child { "Suivant" } else { "Enregistrer" }}
                    </button>
                </div>
            </form>
        }
    };

    let links_form = move || {
        let drafts = editor.links.get();
        let empty = drafts.is_empty();
        view! {
            <form on:submit=submit_links novalidate=true>
                <ErrorSummary errors=editor.errors labels=&[]/>
                {empty.then(|| view! {
                    <p class="notice">"Ajoutez d'abord le responsable du foyer : vous pourrez ensuite indiquer ses liens avec cet enfant."</p>
                })}
                {drafts.into_iter().map(|(adult, link)| {
                    let key = format!("lien-{}", adult.id);
                    let errors = editor.errors.fields;
                    let key_for_errors = key.clone();
                    let link_errors = Signal::derive(move || errors.with(|f| f.get(&key_for_errors).cloned().unwrap_or_default()));
                    let legend = format!("{} — {}", role_label(adult.fields.role), display_name(&adult.fields));
                    view! {
                        <fieldset class="link-fieldset">
                            <legend>{legend}</legend>
                            <SelectField id=format!("{key}-relation") name="relation" label="Lien" value=link.relation
                                options=RELATIONS errors=link_errors placeholder="Aucun lien"/>
                            <CheckboxField id=format!("{key}-autorite") name="autorite_parentale" label="Autorité parentale" checked=link.autorite_parentale/>
                            <CheckboxField id=format!("{key}-urgence") name="contact_urgence" label="Contact en cas d'urgence" checked=link.contact_urgence/>
                            <CheckboxField id=format!("{key}-recuperer") name="autorise_recuperer" label="Autorisé à récupérer l'enfant" checked=link.autorise_recuperer/>
                        </fieldset>
                    }
                }).collect_view()}
                <div class="actions">
                    <button type="button" class="button secondary" on:click=move |_| { editor.errors.clear(); editor.part.set(0); }>"Retour"</button>
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Enregistrer"</button>
                </div>
            </form>
        }
    };

    view! {
        <section class="card member-editor" aria-labelledby="membre-titre">
            <h3 id="membre-titre" tabindex="-1" node_ref=heading>{editor.title.get_value()}</h3>
            {is_child.then(|| view! { <Stepper steps=CHILD_STEPS current=editor.part label="Étapes de la fiche enfant"/> })}
            <ConflictBanner/>
            {move || if editor.part.get() == 0 {
                view! { <h4 class="visually-hidden" tabindex="-1">"Informations"</h4>{info_form()} }.into_any()
            } else {
                view! {
                    <h4 tabindex="-1">"Liens de parenté"</h4>
                    <p>"Pour chaque adulte du foyer, indiquez son lien avec l'enfant. Au moins un responsable doit avoir l'autorité parentale."</p>
                    {links_form()}
                }.into_any()
            }}
        </section>
    }
}
