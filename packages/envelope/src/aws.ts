export { AwsKmsKek, type AwsKmsKekOptions } from './kek/AwsKmsKek.ts';
