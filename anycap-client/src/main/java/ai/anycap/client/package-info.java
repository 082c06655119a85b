/**
 * The AnyCap client: {@link ai.anycap.client.AnyCapClient} for the HTTP API, {@link
 * ai.anycap.client.PromptTemplate} and {@link ai.anycap.client.PromptTemplates} for prompts at
 * scale. Everything public lives in this one package; {@code ai.anycap.client.internal} is not
 * API and may change in any release.
 *
 * <p>Values are immutable and non-null unless documented otherwise. Every exception is an
 * unchecked {@link ai.anycap.client.AnyCapException}.
 */
package ai.anycap.client;
