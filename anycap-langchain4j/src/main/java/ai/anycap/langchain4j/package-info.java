/**
 * AnyCap behind LangChain4j's {@code ImageModel}: {@link ai.anycap.langchain4j.AnyCapImageModel}.
 */
package ai.anycap.langchain4j;
