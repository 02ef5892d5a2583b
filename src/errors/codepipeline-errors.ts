/**
 * CodePipeline's modelled exceptions, named as in the service model
 * (models/codepipeline/2015-07-09/service-2.json), so that boto3 and the JavaScript SDK map
 * them to their own exception classes.
 */
import { LockstepError } from './lockstep-error.js';

function modelled(code: string) {
  return class extends LockstepError {
    constructor(message: string, options?: { cause?: unknown }) {
      super(code, message, options);
    }
  };
}

export const PipelineNotFoundException = modelled('PipelineNotFoundException');
export const PipelineVersionNotFoundException = modelled('PipelineVersionNotFoundException');
export const PipelineNameInUseException = modelled('PipelineNameInUseException');
export const InvalidStructureException = modelled('InvalidStructureException');
export const InvalidStageDeclarationException = modelled('InvalidStageDeclarationException');
export const InvalidActionDeclarationException = modelled('InvalidActionDeclarationException');
export const InvalidBlockerDeclarationException = modelled('InvalidBlockerDeclarationException');
export const InvalidNextTokenException = modelled('InvalidNextTokenException');
export const InvalidArnException = modelled('InvalidArnException');
export const InvalidTagsException = modelled('InvalidTagsException');
export const TooManyTagsException = modelled('TooManyTagsException');
export const ResourceNotFoundException = modelled('ResourceNotFoundException');
export const LimitExceededException = modelled('LimitExceededException');
export const ConcurrentModificationException = modelled('ConcurrentModificationException');
export const ActionTypeNotFoundException = modelled('ActionTypeNotFoundException');
export const ActionTypeAlreadyExistsException = modelled('ActionTypeAlreadyExistsException');
export const PipelineExecutionNotFoundException = modelled('PipelineExecutionNotFoundException');
export const PipelineExecutionNotStoppableException = modelled(
  'PipelineExecutionNotStoppableException',
);
export const DuplicatedStopRequestException = modelled('DuplicatedStopRequestException');
export const ConflictException = modelled('ConflictException');
export const InvalidApprovalTokenException = modelled('InvalidApprovalTokenException');
export const ApprovalAlreadyCompletedException = modelled('ApprovalAlreadyCompletedException');
export const StageNotFoundException = modelled('StageNotFoundException');
export const ActionNotFoundException = modelled('ActionNotFoundException');
export const JobNotFoundException = modelled('JobNotFoundException');
export const InvalidNonceException = modelled('InvalidNonceException');
export const InvalidJobStateException = modelled('InvalidJobStateException');
export const OutputVariablesSizeExceededException = modelled(
  'OutputVariablesSizeExceededException',
);
export const StageNotRetryableException = modelled('StageNotRetryableException');
export const NotLatestPipelineExecutionException = modelled('NotLatestPipelineExecutionException');
export const InvalidClientTokenException = modelled('InvalidClientTokenException');
