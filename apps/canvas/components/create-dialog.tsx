"use client";

import { CreateWorkspaceInputSchema } from "@molecule/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { buttonFor, pausedAbove } from "@/lib/allowed";
import type { CreateOptions } from "@/lib/api";
import {
  EMPTY_CREATE_FORM as EMPTY,
  type CreateForm as Form,
  toCreateInput as toInput,
} from "@/lib/create-form";
import { issuesToFields, problemOf } from "@/lib/errors";
import { rq } from "@/lib/query";
import { useCanvas } from "@/lib/store";
import { Modal } from "./modal";

function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={`field${error ? " field--error" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <p className="field__error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : hint ? (
        <p className="field__hint">{hint}</p>
      ) : null}
    </div>
  );
}

/** The runtimes and templates the server knows (null until loaded; free text still works then). */
function useCreateOptions(): CreateOptions | null {
  // They change with a deploy, not while the dialog is open: cached for the page's lifetime.
  const { data } = useQuery(rq.workspace.createOptions.queryOptions(undefined, { staleTime: Infinity }));
  return data ?? null;
}

/** What picking a template fills in (fields left empty take these). */
function templateHint(t: CreateOptions["templates"][number]): string {
  const bits = [
    t.description,
    t.runtime && `runtime ${t.runtime}`,
    t.tier && `tier ${t.tier}`,
    t.model && `model ${t.model}`,
    t.maxConcurrentTasks && `${t.maxConcurrentTasks} tasks at once`,
    t.initialMemories
      ? `${t.initialMemories} starting ${t.initialMemories === 1 ? "memory" : "memories"}`
      : "",
  ];
  return bits.filter(Boolean).join(" · ");
}

export function CreateDialog() {
  const close = () => useCanvas.getState().setCreateOpen(false);
  const parents = useCanvas((s) => s.workspaces);
  const [form, setForm] = useState<Form>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation(rq.workspace.create.mutationOptions());
  const busy = create.isPending;
  const options = useCreateOptions();

  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => {
      const { [key]: _, ...rest } = e;
      return rest;
    });
  };
  const attrs = (key: keyof Form) => ({
    id: `create-${key}`,
    name: key,
    "aria-invalid": errors[key] ? true : undefined,
    "aria-describedby": errors[key] ? `create-${key}-error` : undefined,
  });

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const input = toInput(form);
    // Same schema as the server: most mistakes are caught here, without a round trip.
    const parsed = CreateWorkspaceInputSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(issuesToFields(parsed.error.issues));
      return;
    }
    try {
      const { workspace, token } = await create.mutateAsync(parsed.data);
      const store = useCanvas.getState();
      store.upsert([workspace]);
      store.setCreateOpen(false);
      store.toast("success", `Created ${workspace.name}.`);
      if (workspace.external)
        store.setTokenReveal({ id: workspace.id, name: workspace.name, token, reason: "created" });
    } catch (error) {
      const problem = problemOf(error);
      const known = Object.fromEntries(Object.entries(problem.fields).filter(([k]) => k in EMPTY));
      setErrors(known);
      if (Object.keys(known).length === 0) setFormError(problem.message);
      else if (Object.keys(known).length < Object.keys(problem.fields).length) setFormError(problem.message);
    }
  }

  const template = options?.templates.find((t) => t.name === form.template.trim());
  // Removed ones are not parents; paused ones are listed but refused by the same rule as the server.
  const parentOptions = Object.values(parents)
    .filter((w) => w.status !== "removed")
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((w) => ({
      w,
      rule: buttonFor("addChild", w.status, pausedAbove({ workspaces: parents }, w.parentId)),
    }));
  return (
    <Modal title="Create workspace" onClose={close}>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="create-name" label="Name" error={errors.name}>
          <input
            {...attrs("name")}
            value={form.name}
            onChange={(e) => set("name", e.target.value)}
            placeholder="Research lead"
          />
        </Field>
        <Field id="create-role" label="Role" error={errors.role} hint="What this agent is for.">
          <textarea
            {...attrs("role")}
            rows={2}
            value={form.role}
            onChange={(e) => set("role", e.target.value)}
          />
        </Field>
        <div className="form__row">
          <Field id="create-tier" label="Tier" error={errors.tier}>
            <select {...attrs("tier")} value={form.tier} onChange={(e) => set("tier", e.target.value)}>
              {/* Untouched, the field is left out and the server applies the template's tier (SPEC §4). */}
              <option value="">Default ({template?.tier || 3})</option>
              <option value="1">1</option>
              <option value="2">2</option>
              <option value="3">3</option>
              <option value="4">4</option>
            </select>
          </Field>
          <Field
            id="create-maxConcurrentTasks"
            label="Max concurrent tasks"
            error={errors.maxConcurrentTasks}
          >
            <input
              {...attrs("maxConcurrentTasks")}
              type="number"
              inputMode="numeric"
              value={form.maxConcurrentTasks}
              onChange={(e) => set("maxConcurrentTasks", e.target.value)}
              placeholder={`${template?.maxConcurrentTasks || 1} (default)`}
            />
          </Field>
        </div>
        <div className="field field--check">
          <input
            id="create-external"
            type="checkbox"
            checked={form.external}
            onChange={(e) => set("external", e.target.checked)}
          />
          <label htmlFor="create-external">External agent (it connects itself with a token)</label>
        </div>
        {form.external ? (
          <Field
            id="create-url"
            label="Agent URL"
            error={errors.url}
            hint="Optional: where the agent serves A2A."
          >
            <input
              {...attrs("url")}
              value={form.url}
              onChange={(e) => set("url", e.target.value)}
              placeholder="https://agent.example.com"
            />
          </Field>
        ) : (
          <div className="form__row">
            <Field id="create-runtime" label="Runtime" error={errors.runtime}>
              <input
                {...attrs("runtime")}
                list="create-runtime-options"
                value={form.runtime}
                onChange={(e) => set("runtime", e.target.value)}
                placeholder={template?.runtime ?? "demo"}
              />
              <datalist id="create-runtime-options" data-testid="runtime-options">
                {options?.runtimes.map((r) => (
                  <option key={r} value={r} />
                ))}
              </datalist>
            </Field>
            <Field
              id="create-template"
              label="Template"
              error={errors.template}
              hint={template ? templateHint(template) : undefined}
            >
              <input
                {...attrs("template")}
                list="create-template-options"
                value={form.template}
                onChange={(e) => set("template", e.target.value)}
                placeholder="none"
              />
              <datalist id="create-template-options" data-testid="template-options">
                {options?.templates.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.description}
                  </option>
                ))}
              </datalist>
            </Field>
          </div>
        )}
        <div className="form__row">
          <Field id="create-model" label="Model" error={errors.model}>
            <input {...attrs("model")} value={form.model} onChange={(e) => set("model", e.target.value)} />
          </Field>
          <Field id="create-budgetLimit" label="Monthly budget (cents)" error={errors.budgetLimit}>
            <input
              {...attrs("budgetLimit")}
              type="number"
              inputMode="numeric"
              value={form.budgetLimit}
              onChange={(e) => set("budgetLimit", e.target.value)}
              placeholder="no limit"
            />
          </Field>
        </div>
        <Field id="create-parentId" label="Reports to" error={errors.parentId}>
          <select
            {...attrs("parentId")}
            value={form.parentId}
            onChange={(e) => set("parentId", e.target.value)}
          >
            <option value="">Nobody (top level)</option>
            {parentOptions.map(({ w, rule }) => (
              <option key={w.id} value={w.id} disabled={!rule.enabled} title={rule.title}>
                {rule.enabled ? w.name : `${w.name} (paused)`}
              </option>
            ))}
          </select>
        </Field>
        {formError && (
          <p className="form__error" role="alert">
            {formError}
          </p>
        )}
        <div className="form__actions">
          <button type="button" className="btn btn--ghost" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn--primary" disabled={busy}>
            {busy ? "Creating…" : "Create workspace"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
