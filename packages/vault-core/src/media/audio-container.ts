/**
 * The one container sniffer of the vault, from the audio layer: uploads are identified by their
 * first bytes (never by a client's Content-Type or file name) exactly as the decoder will see them.
 */
export { type AudioContainer, sniffContainer } from '@vaultmark/analysis';
